//! XML Schema datatypes: lexical-form checks for `sh:datatype` and the SPARQL
//! ordering used by `sh:minInclusive` & co. and `sh:lessThan`.
//!
//! Only what SHACL needs is implemented: validity of the lexical forms of the
//! common XSD datatypes, and a partial order over numbers, strings, booleans,
//! date/time values and durations. Anything else is incomparable, which SHACL
//! reports as a violation.

use oxrdf::LiteralRef;
use oxrdf::vocab::{rdf, xsd};
use std::cmp::Ordering;

const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// Whether `lexical` is a valid lexical form of `datatype`.
///
/// Datatypes the engine does not know are accepted: SHACL only requires the
/// datatype IRI to match for them.
pub fn is_valid_lexical(datatype: &str, lexical: &str) -> bool {
    let Some(local) = datatype.strip_prefix(XSD) else {
        // rdf:langString needs a language tag, checked by the caller.
        return datatype != rdf::LANG_STRING.as_str();
    };
    match local {
        "string" => true,
        "normalizedString" => !lexical.contains(['\r', '\n', '\t']),
        "token" => is_token(lexical),
        "language" => is_language_tag(lexical),
        "NMTOKEN" => !lexical.is_empty() && lexical.chars().all(is_name_char),
        "Name" => is_name(lexical, true),
        "NCName" | "ID" | "IDREF" | "ENTITY" => is_name(lexical, false),
        "boolean" => matches!(lexical, "true" | "false" | "1" | "0"),
        "decimal" => parse_decimal(lexical).is_some(),
        "float" | "double" => parse_double(lexical).is_some(),
        "hexBinary" => {
            lexical.len().is_multiple_of(2) && lexical.bytes().all(|b| b.is_ascii_hexdigit())
        }
        "base64Binary" => is_base64(lexical),
        // Almost any string is a valid anyURI in XSD 1.1.
        "anyURI" => true,
        "duration" => parse_duration(lexical, DurationKind::Any).is_some(),
        "dayTimeDuration" => parse_duration(lexical, DurationKind::DayTime).is_some(),
        "yearMonthDuration" => parse_duration(lexical, DurationKind::YearMonth).is_some(),
        "dateTimeStamp" => {
            parse_temporal(lexical, TemporalKind::DateTime).is_some_and(|t| t.tz.is_some())
        }
        _ => {
            if let Some(kind) = TemporalKind::from_local_name(local) {
                parse_temporal(lexical, kind).is_some()
            } else if let Some((min, max)) = integer_range(local) {
                parse_integer(lexical).is_some_and(|i| in_range(i, min, max))
            } else {
                true
            }
        }
    }
}

/// Compares two literals with the SPARQL `<`/`=` operators.
///
/// `None` means the values are incomparable (different kinds, ill-formed,
/// NaN, or an indeterminate date/time comparison).
pub fn compare(a: LiteralRef<'_>, b: LiteralRef<'_>) -> Option<Ordering> {
    match (Value::parse(a)?, Value::parse(b)?) {
        (Value::Decimal(a), Value::Decimal(b)) => Some(a.cmp(&b)),
        (Value::Decimal(a), Value::Double(b)) => a.to_f64().partial_cmp(&b),
        (Value::Double(a), Value::Decimal(b)) => a.partial_cmp(&b.to_f64()),
        (Value::Double(a), Value::Double(b)) => a.partial_cmp(&b),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        (Value::Boolean(a), Value::Boolean(b)) => Some(a.cmp(&b)),
        (Value::Temporal(a), Value::Temporal(b)) if a.kind == b.kind => a.partial_cmp(&b),
        (Value::Duration(a), Value::Duration(b)) => a.partial_cmp(&b),
        _ => None,
    }
}

/// A literal value, as far as ordering is concerned.
enum Value<'a> {
    Decimal(Decimal<'a>),
    Double(f64),
    String(&'a str),
    Boolean(bool),
    Temporal(Temporal),
    Duration(Duration),
}

impl<'a> Value<'a> {
    fn parse(literal: LiteralRef<'a>) -> Option<Self> {
        let lexical = literal.value();
        let datatype = literal.datatype();
        if datatype == xsd::STRING {
            return Some(Self::String(lexical));
        }
        if !is_valid_lexical(datatype.as_str(), lexical) {
            return None;
        }
        let local = datatype.as_str().strip_prefix(XSD)?;
        Some(match local {
            "boolean" => Self::Boolean(matches!(lexical, "true" | "1")),
            "decimal" => Self::Decimal(parse_decimal(lexical)?),
            "float" => Self::Double(f64::from(parse_double(lexical)? as f32)),
            "double" => Self::Double(parse_double(lexical)?),
            "duration" | "dayTimeDuration" | "yearMonthDuration" => {
                Self::Duration(parse_duration(lexical, DurationKind::Any)?)
            }
            "dateTimeStamp" => Self::Temporal(parse_temporal(lexical, TemporalKind::DateTime)?),
            _ => {
                if let Some(kind) = TemporalKind::from_local_name(local) {
                    Self::Temporal(parse_temporal(lexical, kind)?)
                } else if integer_range(local).is_some() {
                    Self::Decimal(parse_decimal(lexical)?)
                } else {
                    return None;
                }
            }
        })
    }
}

fn is_token(s: &str) -> bool {
    !s.contains(['\r', '\n', '\t']) && !s.starts_with(' ') && !s.ends_with(' ') && !s.contains("  ")
}

fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or_default();
    (1..=8).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | ':' | '-' | '.' | '\u{B7}')
}

fn is_name(s: &str, allow_colon: bool) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || (allow_colon && c == ':'))
        && chars.all(|c| is_name_char(c) && (allow_colon || c != ':'))
}

fn is_base64(s: &str) -> bool {
    let data: Vec<u8> = s.bytes().filter(|b| *b != b' ').collect();
    if !data.len().is_multiple_of(4) {
        return false;
    }
    let padding = data.iter().rev().take_while(|b| **b == b'=').count();
    padding <= 2
        && data[..data.len() - padding]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
}

/// Value ranges of the XSD integer datatypes, `None` when unbounded.
fn integer_range(local: &str) -> Option<(Option<i128>, Option<i128>)> {
    Some(match local {
        "integer" => (None, None),
        "nonPositiveInteger" => (None, Some(0)),
        "negativeInteger" => (None, Some(-1)),
        "nonNegativeInteger" => (Some(0), None),
        "positiveInteger" => (Some(1), None),
        "long" => (Some(i64::MIN.into()), Some(i64::MAX.into())),
        "int" => (Some(i32::MIN.into()), Some(i32::MAX.into())),
        "short" => (Some(i16::MIN.into()), Some(i16::MAX.into())),
        "byte" => (Some(i8::MIN.into()), Some(i8::MAX.into())),
        "unsignedLong" => (Some(0), Some(u64::MAX.into())),
        "unsignedInt" => (Some(0), Some(u32::MAX.into())),
        "unsignedShort" => (Some(0), Some(u16::MAX.into())),
        "unsignedByte" => (Some(0), Some(u8::MAX.into())),
        _ => return None,
    })
}

/// A parsed integer; huge values saturate, which keeps range checks right.
fn parse_integer(s: &str) -> Option<i128> {
    let (negative, digits) = split_sign(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits.parse::<i128>().unwrap_or(i128::MAX);
    Some(if negative { -magnitude } else { magnitude })
}

fn in_range(value: i128, min: Option<i128>, max: Option<i128>) -> bool {
    min.is_none_or(|min| value >= min) && max.is_none_or(|max| value <= max)
}

fn split_sign(s: &str) -> (bool, &str) {
    if let Some(rest) = s.strip_prefix('-') {
        (true, rest)
    } else {
        (false, s.strip_prefix('+').unwrap_or(s))
    }
}

/// An exact decimal number, kept as normalized digit slices of the lexical form.
#[derive(PartialEq, Eq)]
struct Decimal<'a> {
    negative: bool,
    /// Integer digits without leading zeros.
    integer: &'a str,
    /// Fraction digits without trailing zeros.
    fraction: &'a str,
}

impl Decimal<'_> {
    fn is_zero(&self) -> bool {
        self.integer.is_empty() && self.fraction.is_empty()
    }

    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        self.integer
            .len()
            .cmp(&other.integer.len())
            .then_with(|| self.integer.cmp(other.integer))
            .then_with(|| self.fraction.cmp(other.fraction))
    }

    fn to_f64(&self) -> f64 {
        let sign = if self.negative { "-" } else { "" };
        format!("{sign}0{}.{}0", self.integer, self.fraction)
            .parse()
            .unwrap_or(f64::NAN)
    }
}

impl Ord for Decimal<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        let sign = |d: &Decimal<'_>| {
            if d.is_zero() {
                0
            } else if d.negative {
                -1
            } else {
                1
            }
        };
        match sign(self).cmp(&sign(other)) {
            Ordering::Equal if self.negative && !self.is_zero() => other.cmp_magnitude(self),
            Ordering::Equal => self.cmp_magnitude(other),
            order => order,
        }
    }
}

impl PartialOrd for Decimal<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn parse_decimal(s: &str) -> Option<Decimal<'_>> {
    let (negative, rest) = split_sign(s);
    let (integer, fraction) = rest.split_once('.').unwrap_or((rest, ""));
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if (integer.is_empty() && fraction.is_empty()) || !all_digits(integer) || !all_digits(fraction)
    {
        return None;
    }
    Some(Decimal {
        negative,
        integer: integer.trim_start_matches('0'),
        fraction: fraction.trim_end_matches('0'),
    })
}

fn parse_double(s: &str) -> Option<f64> {
    match s {
        "INF" | "+INF" => return Some(f64::INFINITY),
        "-INF" => return Some(f64::NEG_INFINITY),
        "NaN" => return Some(f64::NAN),
        _ => {}
    }
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    parse_decimal(mantissa)?;
    if let Some(exponent) = exponent {
        parse_integer(exponent)?;
    }
    s.parse().ok()
}

/// The date/time datatypes, which are only comparable among themselves.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum TemporalKind {
    DateTime,
    Date,
    Time,
    GYear,
    GYearMonth,
    GMonth,
    GDay,
    GMonthDay,
}

impl TemporalKind {
    fn from_local_name(local: &str) -> Option<Self> {
        Some(match local {
            "dateTime" => Self::DateTime,
            "date" => Self::Date,
            "time" => Self::Time,
            "gYear" => Self::GYear,
            "gYearMonth" => Self::GYearMonth,
            "gMonth" => Self::GMonth,
            "gDay" => Self::GDay,
            "gMonthDay" => Self::GMonthDay,
            _ => return None,
        })
    }
}

/// A point on the XSD timeline: local time in nanoseconds and an optional
/// timezone offset in minutes.
#[derive(Debug)]
struct Temporal {
    kind: TemporalKind,
    local_nanos: i128,
    tz: Option<i64>,
}

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const NANOS_PER_MINUTE: i128 = 60 * NANOS_PER_SECOND;
/// XSD: a value without timezone may be anywhere between -14:00 and +14:00.
const MAX_TZ_NANOS: i128 = 14 * 60 * NANOS_PER_MINUTE;

impl PartialEq for Temporal {
    fn eq(&self, other: &Self) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

impl PartialOrd for Temporal {
    /// The XSD partial order: a value without timezone is only ordered
    /// against one with a timezone when they are more than 14 hours apart.
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        let utc = |t: &Self| t.local_nanos - i128::from(t.tz.unwrap_or(0)) * NANOS_PER_MINUTE;
        let (a, b) = (utc(self), utc(other));
        if self.tz.is_some() == other.tz.is_some() {
            return Some(a.cmp(&b));
        }
        if a + MAX_TZ_NANOS < b {
            Some(Ordering::Less)
        } else if a > b + MAX_TZ_NANOS {
            Some(Ordering::Greater)
        } else {
            None
        }
    }
}

/// A small cursor over an ASCII lexical form.
struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn eat(&mut self, prefix: char) -> bool {
        if let Some(rest) = self.rest.strip_prefix(prefix) {
            self.rest = rest;
            true
        } else {
            false
        }
    }

    fn digits(&mut self) -> &'a str {
        let end = self.rest.bytes().take_while(u8::is_ascii_digit).count();
        let (digits, rest) = self.rest.split_at(end);
        self.rest = rest;
        digits
    }

    /// Exactly `n` digits as a number.
    fn fixed(&mut self, n: usize) -> Option<i128> {
        let digits = self.digits();
        (digits.len() == n).then(|| digits.parse().ok())?
    }

    fn year(&mut self) -> Option<i128> {
        let negative = self.eat('-');
        let digits = self.digits();
        if digits.len() < 4 || (digits.len() > 4 && digits.starts_with('0')) {
            return None;
        }
        let year: i128 = digits.parse().ok()?;
        Some(if negative { -year } else { year })
    }

    fn timezone(&mut self) -> Option<Option<i64>> {
        if self.eat('Z') {
            return Some(Some(0));
        }
        let sign = if self.eat('+') {
            1
        } else if self.eat('-') {
            -1
        } else {
            return Some(None);
        };
        let hours = self.fixed(2)?;
        if !self.eat(':') {
            return None;
        }
        let minutes = self.fixed(2)?;
        if minutes > 59 || hours * 60 + minutes > 14 * 60 {
            return None;
        }
        Some(Some(sign * i64::try_from(hours * 60 + minutes).ok()?))
    }
}

fn parse_temporal(s: &str, kind: TemporalKind) -> Option<Temporal> {
    let mut c = Cursor { rest: s };
    // Missing date parts default to the XSD reference date 1972-12-31.
    let (mut year, mut month, mut day) = (1972, 12, 31);
    let mut nanos_of_day = 0;
    match kind {
        TemporalKind::DateTime
        | TemporalKind::Date
        | TemporalKind::GYear
        | TemporalKind::GYearMonth => {
            year = c.year()?;
            if kind != TemporalKind::GYear {
                (c.eat('-')).then_some(())?;
                month = c.fixed(2)?;
                day = 1;
            } else {
                month = 1;
                day = 1;
            }
            if matches!(kind, TemporalKind::DateTime | TemporalKind::Date) {
                (c.eat('-')).then_some(())?;
                day = c.fixed(2)?;
            }
            if kind == TemporalKind::DateTime {
                (c.eat('T')).then_some(())?;
                nanos_of_day = parse_time_of_day(&mut c)?;
            }
        }
        TemporalKind::Time => nanos_of_day = parse_time_of_day(&mut c)?,
        TemporalKind::GMonth | TemporalKind::GMonthDay => {
            (c.eat('-') && c.eat('-')).then_some(())?;
            month = c.fixed(2)?;
            day = 1;
            if kind == TemporalKind::GMonthDay {
                (c.eat('-')).then_some(())?;
                day = c.fixed(2)?;
            }
        }
        TemporalKind::GDay => {
            (c.eat('-') && c.eat('-') && c.eat('-')).then_some(())?;
            day = c.fixed(2)?;
        }
    }
    let tz = c.timezone()?;
    if !c.rest.is_empty()
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(Temporal {
        kind,
        local_nanos: days * 86_400 * NANOS_PER_SECOND + nanos_of_day,
        tz,
    })
}

/// `hh:mm:ss(.s+)?` as nanoseconds since midnight (24:00:00 is allowed).
fn parse_time_of_day(c: &mut Cursor<'_>) -> Option<i128> {
    let hours = c.fixed(2)?;
    (c.eat(':')).then_some(())?;
    let minutes = c.fixed(2)?;
    (c.eat(':')).then_some(())?;
    let seconds = c.fixed(2)?;
    let mut fraction_nanos = 0;
    let mut fraction_is_zero = true;
    if c.eat('.') {
        let digits = c.digits();
        if digits.is_empty() {
            return None;
        }
        fraction_is_zero = digits.bytes().all(|b| b == b'0');
        // Precision beyond nanoseconds is dropped.
        let padded = format!("{digits:0<9}");
        fraction_nanos = padded[..9].parse::<i128>().ok()?;
    }
    let valid = if hours == 24 {
        minutes == 0 && seconds == 0 && fraction_is_zero
    } else {
        hours < 24 && minutes < 60 && seconds < 60
    };
    valid.then(|| ((hours * 60 + minutes) * 60 + seconds) * NANOS_PER_SECOND + fraction_nanos)
}

fn is_leap_year(year: i128) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i128, month: i128) -> i128 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i128, month: i128, day: i128) -> i128 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DurationKind {
    Any,
    DayTime,
    YearMonth,
}

/// An `xsd:duration`: months and nanoseconds, ordered only when both agree.
#[derive(PartialEq, Debug)]
struct Duration {
    months: i128,
    nanos: i128,
}

impl PartialOrd for Duration {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        let months = self.months.cmp(&other.months);
        let nanos = self.nanos.cmp(&other.nanos);
        match (months, nanos) {
            (m, n) if m == n => Some(m),
            (Ordering::Equal, n) => Some(n),
            (m, Ordering::Equal) => Some(m),
            _ => None,
        }
    }
}

fn parse_duration(s: &str, kind: DurationKind) -> Option<Duration> {
    let (negative, rest) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let rest = rest.strip_prefix('P')?;
    let (date_part, time_part) = match rest.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (rest, None),
    };
    let mut months = 0;
    let mut nanos = 0;
    let mut any = false;
    let date_units: &[(char, i128, bool)] = &[('Y', 12, true), ('M', 1, true), ('D', 0, false)];
    let mut c = Cursor { rest: date_part };
    for &(unit, factor, is_month) in date_units {
        if let Some(n) = duration_component(&mut c, unit)? {
            any = true;
            if is_month {
                months += n * factor;
            } else {
                nanos += n * 86_400 * NANOS_PER_SECOND;
            }
        }
    }
    if !c.rest.is_empty() {
        return None;
    }
    if let Some(time) = time_part {
        let mut c = Cursor { rest: time };
        let mut any_time = false;
        for (unit, seconds) in [('H', 3600), ('M', 60)] {
            if let Some(n) = duration_component(&mut c, unit)? {
                any_time = true;
                nanos += n * seconds * NANOS_PER_SECOND;
            }
        }
        if !c.rest.is_empty() {
            let (number, tail) = c.rest.split_once('S')?;
            let seconds = parse_decimal(number)?;
            if !tail.is_empty() || seconds.negative || number.starts_with('+') {
                return None;
            }
            let whole: i128 = if seconds.integer.is_empty() {
                0
            } else {
                seconds.integer.parse().ok()?
            };
            let fraction = format!("{:0<9}", seconds.fraction);
            nanos += whole * NANOS_PER_SECOND + fraction[..9].parse::<i128>().ok()?;
            any_time = true;
        }
        if !any_time {
            return None;
        }
        any = true;
    }
    let allowed = match kind {
        DurationKind::Any => true,
        DurationKind::DayTime => months == 0 && !date_part.contains(['Y', 'M']),
        DurationKind::YearMonth => time_part.is_none() && !date_part.contains('D'),
    };
    if !any || !allowed {
        return None;
    }
    let sign = if negative { -1 } else { 1 };
    Some(Duration {
        months: sign * months,
        nanos: sign * nanos,
    })
}

/// Reads `<digits><unit>` if the next unit is `unit`.
fn duration_component(c: &mut Cursor<'_>, unit: char) -> Option<Option<i128>> {
    let end = c.rest.bytes().take_while(u8::is_ascii_digit).count();
    if c.rest[end..].starts_with(unit) {
        if end == 0 {
            return None;
        }
        let n = c.rest[..end].parse().ok()?;
        c.rest = &c.rest[end + 1..];
        Some(Some(n))
    } else {
        Some(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::Literal;

    fn typed(value: &str, local: &str) -> Literal {
        Literal::new_typed_literal(
            value,
            oxrdf::NamedNode::new_unchecked(format!("{XSD}{local}")),
        )
    }

    fn valid(value: &str, local: &str) -> bool {
        is_valid_lexical(&format!("{XSD}{local}"), value)
    }

    #[test]
    fn integers_and_ranges() {
        assert!(valid("42", "integer"));
        assert!(valid("-0", "integer"));
        assert!(!valid("aldi", "integer"));
        assert!(!valid("4.0", "integer"));
        assert!(!valid("", "integer"));
        assert!(valid("127", "byte"));
        assert!(!valid("300", "byte"));
        assert!(!valid("c", "byte"));
        assert!(!valid("-1", "nonNegativeInteger"));
        assert!(!valid("0", "positiveInteger"));
        assert!(valid(
            "99999999999999999999999999999999999999999",
            "integer"
        ));
    }

    #[test]
    fn other_lexical_forms() {
        assert!(valid("1.5", "decimal"));
        assert!(valid(".5", "decimal"));
        assert!(!valid("1.5e3", "decimal"));
        assert!(valid("1.5e3", "double"));
        assert!(valid("-INF", "float"));
        assert!(!valid("inf", "double"));
        assert!(valid("true", "boolean"));
        assert!(!valid("yes", "boolean"));
        assert!(valid("2024-02-29", "date"));
        assert!(!valid("2023-02-29", "date"));
        assert!(!valid("2023-13-01", "date"));
        assert!(valid("2023-01-01Z", "date"));
        assert!(valid("2023-01-01T10:00:00.5+02:00", "dateTime"));
        assert!(!valid("2023-01-01T10:00", "dateTime"));
        assert!(!valid("2023-01-01", "dateTime"));
        assert!(valid("24:00:00", "time"));
        assert!(!valid("24:00:01", "time"));
        assert!(valid("2023", "gYear"));
        assert!(valid("2023-05", "gYearMonth"));
        assert!(valid("--05", "gMonth"));
        assert!(valid("P1Y2M3DT4H5M6.5S", "duration"));
        assert!(!valid("P", "duration"));
        assert!(!valid("P1DT", "duration"));
        assert!(!valid("P1Y", "dayTimeDuration"));
        assert!(valid("en-GB", "language"));
        assert!(valid("0FB7", "hexBinary"));
        assert!(!valid("0FB", "hexBinary"));
        assert!(is_valid_lexical("http://example.org/custom", "anything"));
        assert!(!is_valid_lexical(rdf::LANG_STRING.as_str(), "x"));
    }

    #[test]
    fn numeric_comparisons() {
        let cmp = |a: &Literal, b: &Literal| compare(a.as_ref(), b.as_ref());
        assert_eq!(
            cmp(&typed("4", "integer"), &typed("4.0", "decimal")),
            Some(Ordering::Equal)
        );
        assert_eq!(
            cmp(&typed("3.9", "decimal"), &typed("4", "integer")),
            Some(Ordering::Less)
        );
        assert_eq!(
            cmp(&typed("-10", "integer"), &typed("-9.5", "decimal")),
            Some(Ordering::Less)
        );
        assert_eq!(
            cmp(&typed("1e1", "double"), &typed("9", "integer")),
            Some(Ordering::Greater)
        );
        assert_eq!(cmp(&typed("NaN", "double"), &typed("1", "integer")), None);
        assert_eq!(cmp(&typed("x", "integer"), &typed("1", "integer")), None);
        assert_eq!(cmp(&Literal::from("Hello"), &typed("4", "integer")), None);
        assert_eq!(
            cmp(&Literal::from("a"), &Literal::from("b")),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn date_time_comparisons() {
        let cmp = |a: &str, b: &str| {
            compare(typed(a, "dateTime").as_ref(), typed(b, "dateTime").as_ref())
        };
        assert_eq!(
            cmp("2002-10-10T12:00:00-05:00", "2002-10-10T17:00:00Z"),
            Some(Ordering::Equal)
        );
        assert_eq!(
            cmp("2002-10-10T12:00:00-05:00", "2002-10-10T12:00:01-05:00"),
            Some(Ordering::Less)
        );
        // Without a timezone the order is indeterminate within 14 hours.
        assert_eq!(
            cmp("2002-10-10T12:00:00", "2002-10-10T12:00:00-05:00"),
            None
        );
        assert_eq!(
            cmp("2002-10-09T12:00:00-05:00", "2002-10-10T12:00:00"),
            Some(Ordering::Less)
        );
        let date = typed("2020-01-01", "date");
        assert_eq!(
            compare(
                date.as_ref(),
                typed("2020-01-01T00:00:00", "dateTime").as_ref()
            ),
            None
        );
        assert_eq!(
            compare(date.as_ref(), typed("2019-12-31", "date").as_ref()),
            Some(Ordering::Greater)
        );
    }

    #[test]
    fn duration_comparisons() {
        let d = |s: &str| typed(s, "duration");
        assert_eq!(
            compare(d("P1D").as_ref(), d("PT24H").as_ref()),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare(d("P1Y").as_ref(), d("P13M").as_ref()),
            Some(Ordering::Less)
        );
        assert_eq!(compare(d("P1M").as_ref(), d("P30D").as_ref()), None);
    }
}
