//! Swedish organisation numbers (organisationsnummer): ten digits, the last a Luhn check digit.

/// The ten digits of a valid organisation number, accepting `NNNNNN-NNNN` and an optional
/// `SE`/`16` prefix; None when it is malformed or its check digit is wrong.
pub fn normalize(input: &str) -> Option<String> {
    let trimmed = input.trim();
    let trimmed = trimmed
        .strip_prefix("SE")
        .or_else(|| trimmed.strip_prefix("se"))
        .unwrap_or(trimmed);
    let digits: String = trimmed.chars().filter(|c| *c != '-' && *c != ' ').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Twelve digits: the century form "16" + number used in some registers.
    let digits = match digits.len() {
        10 => digits,
        12 if digits.starts_with("16") => digits[2..].to_owned(),
        _ => return None,
    };
    luhn_valid(&digits).then_some(digits)
}

/// Luhn (mod 10): doubling every second digit from the left for ten-digit numbers.
fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .map(|b| u32::from(b - b'0'))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let doubled = d * 2;
                doubled / 10 + doubled % 10
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The publisher IRI dataportal.se uses for an organisation.
pub fn publisher_iri(orgnr: &str) -> String {
    format!("http://dataportal.se/organisation/SE{orgnr}")
}

/// The ADMS publisher type a Swedish public body's number implies, from the ranges the
/// Swedish Tax Agency gives them: `212000-…` municipalities, `232100-…` regions, `202100-…`
/// state agencies. None for other numbers.
pub fn publisher_type(orgnr: &str) -> Option<&'static str> {
    let digits: String = orgnr.chars().filter(char::is_ascii_digit).collect();
    match digits.get(..4)? {
        "2120" => Some("http://purl.org/adms/publishertype/LocalAuthority"),
        "2321" => Some("http://purl.org/adms/publishertype/RegionalAuthority"),
        "2021" => Some("http://purl.org/adms/publishertype/NationalAuthority"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn accepts_real_numbers_and_forms() {
        // Skatteverket, Exempelkommun of the README, and DIGG.
        assert_eq!(normalize("202100-5448").as_deref(), Some("2021005448"));
        assert_eq!(normalize("2120009994").as_deref(), Some("2120009994"));
        assert_eq!(normalize("SE2021006883").as_deref(), Some("2021006883"));
        assert_eq!(normalize("162021005448").as_deref(), Some("2021005448"));
    }

    #[test]
    fn rejects_bad_check_digits_and_shapes() {
        assert_eq!(normalize("2120009995"), None);
        assert_eq!(normalize("212000999"), None);
        assert_eq!(normalize("21200099x4"), None);
        assert_eq!(normalize(""), None);
    }
}
