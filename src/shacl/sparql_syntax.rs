//! A light SPARQL lexer for what SHACL-SPARQL needs before handing a query
//! to the SPARQL engine: finding variables, substituting `$PATH`, and
//! enforcing the pre-binding restrictions of SHACL 1.0 section 5.3.1 (no
//! MINUS, SERVICE or VALUES, no `AS ?var` for a pre-bound variable, and
//! sub-queries that project every pre-bound variable).

use std::collections::BTreeSet;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token<'q> {
    /// A variable name, without its `?` or `$`.
    Var(&'q str),
    /// A keyword or prefixed name.
    Word(&'q str),
    Punct(char),
}

#[derive(Debug)]
struct Spanned<'q> {
    token: Token<'q>,
    span: Range<usize>,
}

/// Splits a query into tokens, skipping strings, IRIs and comments.
fn tokenize(query: &str) -> Vec<Spanned<'_>> {
    let bytes = query.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        match b {
            b'#' => i = skip_line(bytes, i),
            b'"' | b'\'' => i = skip_string(bytes, i),
            b'<' => {
                i = match iri_end(bytes, i) {
                    Some(end) => end,
                    None => {
                        tokens.push(Spanned {
                            token: Token::Punct('<'),
                            span: i..i + 1,
                        });
                        i + 1
                    }
                }
            }
            b'?' | b'$' if bytes.get(i + 1).is_some_and(|c| is_name_byte(*c)) => {
                i += 1;
                while i < bytes.len() && is_name_byte(bytes[i]) {
                    i += 1;
                }
                tokens.push(Spanned {
                    token: Token::Var(&query[start + 1..i]),
                    span: start..i,
                });
            }
            _ if is_name_byte(b) || b == b':' => {
                while i < bytes.len()
                    && (is_name_byte(bytes[i]) || matches!(bytes[i], b':' | b'-' | b'.'))
                {
                    i += 1;
                }
                // A trailing dot ends a triple, it is not part of the name.
                while query[start..i].ends_with('.') {
                    i -= 1;
                }
                tokens.push(Spanned {
                    token: Token::Word(&query[start..i]),
                    span: start..i,
                });
            }
            _ if b.is_ascii_whitespace() => i += 1,
            _ => {
                let c = query[i..].chars().next().unwrap_or(' ');
                tokens.push(Spanned {
                    token: Token::Punct(c),
                    span: i..i + c.len_utf8(),
                });
                i += c.len_utf8();
            }
        }
    }
    tokens
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn skip_line(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i] != b'\n' {
        i += 1;
    }
    i
}

fn skip_string(bytes: &[u8], i: usize) -> usize {
    let quote = bytes[i];
    let long = bytes.len() >= i + 3 && bytes[i + 1] == quote && bytes[i + 2] == quote;
    let mut j = if long { i + 3 } else { i + 1 };
    while j < bytes.len() {
        if bytes[j] == b'\\' {
            j += 2;
        } else if long {
            if bytes[j..].starts_with(&[quote, quote, quote]) {
                return j + 3;
            }
            j += 1;
        } else if bytes[j] == quote {
            return j + 1;
        } else {
            j += 1;
        }
    }
    bytes.len()
}

/// The end of an IRI reference starting at `<`, if it is one (and not the
/// less-than operator): IRIs contain no spaces or `<"{}|^\``.
fn iri_end(bytes: &[u8], i: usize) -> Option<usize> {
    for (j, &b) in bytes.iter().enumerate().skip(i + 1) {
        match b {
            b'>' => return Some(j + 1),
            b'<' | b'"' | b'{' | b'}' | b'|' | b'^' | b'`' | b'\\' => return None,
            _ if b <= b' ' => return None,
            _ => {}
        }
    }
    None
}

/// The names of the variables of a query.
pub fn variables(query: &str) -> BTreeSet<String> {
    tokenize(query)
        .into_iter()
        .filter_map(|t| match t.token {
            Token::Var(name) => Some(name.to_owned()),
            _ => None,
        })
        .collect()
}

/// Replaces the `$PATH` variable with a SPARQL property path.
pub fn substitute_path(query: &str, path: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut last = 0;
    for t in tokenize(query) {
        if t.token == Token::Var("PATH") && query[t.span.clone()].starts_with('$') {
            out.push_str(&query[last..t.span.start]);
            out.push_str(path);
            last = t.span.end;
        }
    }
    out.push_str(&query[last..]);
    out
}

/// Adds `extra` variables to the projection of the top-level `SELECT`.
///
/// The SPARQL engine only pre-binds projected variables of a `SELECT`, so
/// pre-bound variables used only inside the pattern (parameters,
/// `$shapesGraph`...) are projected too; being constant for one execution,
/// they change neither the solutions nor `DISTINCT`.
pub fn project_variables(query: &str, extra: &[&str]) -> String {
    let tokens = tokenize(query);
    let Some(select) = tokens
        .iter()
        .position(|t| matches!(t.token, Token::Word(w) if w.eq_ignore_ascii_case("SELECT")))
    else {
        return query.to_owned();
    };
    let mut projected = BTreeSet::new();
    let mut star = None;
    let mut depth = 0;
    let mut end = None;
    for (i, t) in tokens.iter().enumerate().skip(select + 1) {
        match t.token {
            Token::Punct('{') => {
                end = Some(i);
                break;
            }
            Token::Word(w) if depth == 0 && w.eq_ignore_ascii_case("WHERE") => {
                end = Some(i);
                break;
            }
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => depth -= 1,
            Token::Punct('*') if depth == 0 => star = Some(i),
            Token::Var(v) => {
                projected.insert(v);
            }
            _ => {}
        }
    }
    let Some(end) = end else {
        return query.to_owned();
    };
    let missing: Vec<&str> = extra
        .iter()
        .copied()
        .filter(|v| !projected.contains(v))
        .collect();
    if missing.is_empty() {
        return query.to_owned();
    }
    let (at, replaced, mut names) = match star {
        // `*` becomes the explicit list of in-scope variables plus the extra ones.
        Some(star) => {
            let in_scope = in_scope_variables(&tokens, end);
            (
                tokens[star].span.clone(),
                true,
                in_scope.into_iter().collect::<Vec<_>>(),
            )
        }
        None => {
            let at = tokens[end].span.start;
            (at..at, false, Vec::new())
        }
    };
    for v in missing {
        if !names.contains(&v) {
            names.push(v);
        }
    }
    let list: Vec<String> = names.iter().map(|v| format!("?{v}")).collect();
    let insert = if replaced {
        list.join(" ")
    } else {
        format!("{} ", list.join(" "))
    };
    format!("{}{}{}", &query[..at.start], insert, &query[at.end..])
}

/// Turns an `ASK` query into a `SELECT` of `projection`: the SPARQL engine
/// pre-binds variables of a `SELECT` projection only. The `ASK` is true when
/// the `SELECT` has a solution.
pub fn ask_to_select(query: &str, projection: &[&str]) -> Option<String> {
    let ask = tokenize(query)
        .into_iter()
        .find(|t| matches!(t.token, Token::Word(w) if w.eq_ignore_ascii_case("ASK")))?;
    let list = if projection.is_empty() {
        "*".to_owned()
    } else {
        projection
            .iter()
            .map(|v| format!("?{v}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    Some(format!(
        "{}SELECT {list}{}",
        &query[..ask.span.start],
        &query[ask.span.end..]
    ))
}

/// Checks the SHACL pre-binding restrictions; `prebound` are the
/// potentially pre-bound variables that sub-queries must project.
pub fn check_prebinding(query: &str, prebound: &[&str], optional: &[&str]) -> Result<(), String> {
    let tokens = tokenize(query);
    for (i, t) in tokens.iter().enumerate() {
        let Token::Word(word) = t.token else { continue };
        for keyword in ["MINUS", "SERVICE", "VALUES"] {
            if word.eq_ignore_ascii_case(keyword) {
                return Err(format!("{keyword} is not allowed"));
            }
        }
        if word.eq_ignore_ascii_case("AS")
            && let Some(Token::Var(var)) = tokens.get(i + 1).map(|t| &t.token)
            && (prebound.contains(var) || optional.contains(var))
        {
            return Err(format!(
                "the pre-bound variable ${var} cannot be assigned with AS"
            ));
        }
    }
    let selects: Vec<usize> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t.token, Token::Word(w) if w.eq_ignore_ascii_case("SELECT")))
        .map(|(i, _)| i)
        .collect();
    for &start in selects.iter().skip(1) {
        let projected = subquery_projection(&tokens, start);
        if let Some(missing) = prebound.iter().find(|v| !projected.contains(**v)) {
            return Err(format!(
                "a sub-query does not return the pre-bound variable ${missing}"
            ));
        }
    }
    Ok(())
}

/// Variables a sub-query starting at `tokens[start]` (`SELECT`) returns.
fn subquery_projection<'q>(tokens: &[Spanned<'q>], start: usize) -> BTreeSet<&'q str> {
    let mut projected = BTreeSet::new();
    let mut star = false;
    let mut i = start + 1;
    let mut depth = 0;
    while i < tokens.len() {
        match tokens[i].token {
            Token::Punct('{') => break,
            Token::Word(w) if depth == 0 && w.eq_ignore_ascii_case("WHERE") => break,
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => depth -= 1,
            Token::Punct('*') if depth == 0 => star = true,
            Token::Var(v) if depth == 0 => {
                projected.insert(v);
            }
            Token::Word(w) if w.eq_ignore_ascii_case("AS") => {
                if let Some(Token::Var(v)) = tokens.get(i + 1).map(|t| &t.token) {
                    projected.insert(*v);
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if star {
        projected.extend(in_scope_variables(tokens, i));
    }
    projected
}

/// Variables bound by the group pattern opening at or after `tokens[from]`:
/// all its variables except those only used inside FILTER expressions.
fn in_scope_variables<'q>(tokens: &[Spanned<'q>], from: usize) -> BTreeSet<&'q str> {
    let Some(open) = (from..tokens.len()).find(|&i| tokens[i].token == Token::Punct('{')) else {
        return BTreeSet::new();
    };
    let mut variables = BTreeSet::new();
    let mut depth = 0;
    let mut i = open;
    while i < tokens.len() {
        match tokens[i].token {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Token::Word(w) if w.eq_ignore_ascii_case("FILTER") => {
                i = skip_filter(tokens, i + 1);
                continue;
            }
            Token::Var(v) => {
                variables.insert(v);
            }
            _ => {}
        }
        i += 1;
    }
    variables
}

/// Skips a FILTER's expression (a bracketed expression, a function call or
/// `[NOT] EXISTS { ... }`); returns the index after it.
fn skip_filter(tokens: &[Spanned<'_>], mut i: usize) -> usize {
    while let Some(Token::Word(_)) = tokens.get(i).map(|t| &t.token) {
        i += 1;
    }
    let (open, close) = match tokens.get(i).map(|t| &t.token) {
        Some(Token::Punct('(')) => ('(', ')'),
        Some(Token::Punct('{')) => ('{', '}'),
        _ => return i,
    };
    let mut depth = 0;
    while i < tokens.len() {
        if tokens[i].token == Token::Punct(open) {
            depth += 1;
        } else if tokens[i].token == Token::Punct(close) {
            depth -= 1;
            if depth == 0 {
                return i + 1;
            }
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_variables_outside_strings_and_iris() {
        let q = "SELECT $this ?value WHERE { $this <http://ex.org/p?x> ?value . FILTER(?value < 3 && \"?no\" != '$no') } # ?comment";
        let vars: Vec<_> = variables(q).into_iter().collect();
        assert_eq!(vars, ["this", "value"]);
    }

    #[test]
    fn substitutes_path() {
        let q = "SELECT $this WHERE { $this $PATH ?v . FILTER(?v != \"$PATH\") }";
        assert_eq!(
            substitute_path(q, "<http://ex.org/p>/^<http://ex.org/q>"),
            "SELECT $this WHERE { $this <http://ex.org/p>/^<http://ex.org/q> ?v . FILTER(?v != \"$PATH\") }"
        );
    }

    #[test]
    fn projects_prebound_variables() {
        assert_eq!(
            project_variables(
                "SELECT DISTINCT $this ?value WHERE { $this ?p ?value . FILTER(?value != $lang) }",
                &["this", "lang"]
            ),
            "SELECT DISTINCT $this ?value ?lang WHERE { $this ?p ?value . FILTER(?value != $lang) }"
        );
        assert_eq!(
            project_variables("SELECT * { $this ?p ?o FILTER($x) }", &["this", "x"]),
            "SELECT ?o ?p ?this ?x { $this ?p ?o FILTER($x) }"
        );
        assert_eq!(
            project_variables("ASK { $this ?p ?o }", &["this"]),
            "ASK { $this ?p ?o }"
        );
        assert_eq!(
            project_variables("SELECT $this WHERE {}", &["this"]),
            "SELECT $this WHERE {}"
        );
    }

    #[test]
    fn turns_ask_into_select() {
        assert_eq!(
            ask_to_select(
                "PREFIX ex: <http://ex.org/ask#>\nASK { FILTER(?value = $x) }",
                &["value", "x"]
            )
            .unwrap(),
            "PREFIX ex: <http://ex.org/ask#>\nSELECT ?value ?x { FILTER(?value = $x) }"
        );
        assert_eq!(
            ask_to_select("ask where {}", &[]).unwrap(),
            "SELECT * where {}"
        );
        assert!(ask_to_select("SELECT * {}", &[]).is_none());
    }

    #[test]
    fn enforces_prebinding_restrictions() {
        let ok = |q| check_prebinding(q, &["this"], &["shapesGraph", "currentShape"]);
        assert!(
            ok("SELECT $this WHERE { $this ?p ?o . FILTER NOT EXISTS { $this ex:values ?x } }")
                .is_ok()
        );
        assert!(ok("SELECT $this WHERE { $this ?x ?any . MINUS { $this ?x \"Value\" } }").is_err());
        assert!(ok("SELECT $this WHERE { VALUES ?any { true } }").is_err());
        assert!(ok("SELECT $this WHERE { SERVICE <http://a.de> { ?a ?b ?c } }").is_err());
        assert!(ok("SELECT $this WHERE { BIND (true AS $this) }").is_err());
        assert!(ok("SELECT $this WHERE { BIND (1 AS ?x) }").is_ok());
        assert!(
            ok("SELECT $this WHERE { { SELECT $this WHERE { FILTER ($this = ex:a) } } }").is_ok()
        );
        assert!(ok("SELECT $this WHERE { { SELECT * WHERE { FILTER ($this = ex:a) } } }").is_err());
        assert!(ok("SELECT $this WHERE { { SELECT * WHERE { $this ?p ?o } } }").is_ok());
        assert!(
            ok(
                "SELECT $this WHERE { $this ?x ?any . { SELECT ?other ?b WHERE { ?other ?b ?c } } }"
            )
            .is_err()
        );
        assert!(ok("SELECT $this WHERE { { SELECT (?x AS ?this) WHERE { ?x ?p ?o } } }").is_err());
    }
}
