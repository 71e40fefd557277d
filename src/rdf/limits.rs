//! Bounds on what one parsed document may hold, so that a small request cannot become a
//! large allocation or a deep recursion: XML entity expansion ("billion laughs"), deep JSON
//! (JSON-LD context chains), deep blank-node or list nesting, huge literals, and more
//! triples than the server is willing to hold for one request.
use oxigraph::model::{NamedOrBlankNode, Quad, Term, Triple};
use std::collections::HashMap;

/// The operator's limits on one document (`katalog serve --max-triples` etc.).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most triples in one document.
    pub max_triples: usize,
    /// Longest literal, in bytes.
    pub max_literal_bytes: usize,
    /// Deepest nesting of blank nodes and lists, and of JSON objects and arrays in JSON-LD.
    pub max_depth: usize,
    /// Most bytes that XML entity declarations may add to an RDF/XML document, declarations
    /// and references together.
    pub max_entity_expansion: usize,
}

impl Limits {
    /// For request bodies and fetched catalogues: ample for a whole catalogue of 10 000
    /// datasets (300 000 triples), small enough that one request holds at most a few
    /// hundred megabytes.
    pub const DEFAULT: Self = Self {
        max_triples: 500_000,
        max_literal_bytes: 1024 * 1024,
        max_depth: 64,
        max_entity_expansion: 1024 * 1024,
    };

    /// For files the operator loads from disk: no cap on triples, the other bounds kept
    /// (they guard the parser and katalog's own recursion, not the request budget).
    pub const fn for_local_files() -> Self {
        Self {
            max_triples: usize::MAX,
            ..Self::DEFAULT
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Which limit a document exceeded, naming the setting that raises it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LimitExceeded {
    #[error("the document holds more than {0} triples (limit --max-triples)")]
    Triples(usize),
    #[error("a literal is longer than {0} bytes (limit --max-literal-bytes)")]
    LiteralBytes(usize),
    #[error("blank nodes, lists or JSON nest deeper than {0} levels (limit --max-depth)")]
    Depth(usize),
    #[error(
        "the XML entity declarations would expand the document by more than {0} bytes \
         (limit --max-entity-expansion)"
    )]
    EntityExpansion(usize),
}

/// Checks what the parser would allocate for the entity declarations of an RDF/XML document
/// before it runs: the parser expands every declared entity when it reads the declaration,
/// and again at every reference, so both count. Declarations the parser refuses anyway
/// (external `SYSTEM` entities, single quotes) are left to its error message.
pub fn check_xml_entities(data: &[u8], limit: usize) -> Result<(), LimitExceeded> {
    const DECLARATION: &[u8] = b"<!ENTITY";
    if find(data, DECLARATION).is_none() {
        return Ok(());
    }
    let exceeded = || LimitExceeded::EntityExpansion(limit);
    let mut sizes: HashMap<&[u8], usize> = HashMap::new();
    let mut total = 0usize;
    let mut rest = data;
    while let Some(at) = find(rest, DECLARATION) {
        rest = &rest[at + DECLARATION.len()..];
        let Some((name, value)) = entity_declaration(rest) else {
            continue;
        };
        let size = expanded_len(value, &sizes);
        total = total.saturating_add(size);
        if total > limit {
            return Err(exceeded());
        }
        sizes.insert(name, size);
    }
    // Every reference in the document (declarations included: an overestimate, on the
    // safe side) adds the entity's expansion less the reference itself.
    let growth = expanded_len(data, &sizes).saturating_sub(data.len());
    if total.saturating_add(growth) > limit {
        return Err(exceeded());
    }
    Ok(())
}

/// `name "value"` after `<!ENTITY`, as the RDF/XML parser reads it (`%` for parameter
/// entities skipped).
fn entity_declaration(input: &[u8]) -> Option<(&[u8], &[u8])> {
    let input = trim_start(input);
    let input = input.strip_prefix(b"%").map(trim_start).unwrap_or(input);
    let name_end = input.iter().position(u8::is_ascii_whitespace)?;
    let (name, input) = input.split_at(name_end);
    let input = trim_start(input).strip_prefix(b"\"")?;
    let value_end = input.iter().position(|&b| b == b'"')?;
    Some((name, &input[..value_end]))
}

/// The length of `text` with every reference to a known entity replaced by its expansion.
fn expanded_len(text: &[u8], sizes: &HashMap<&[u8], usize>) -> usize {
    let mut len = text.len();
    let mut rest = text;
    while let Some(at) = rest.iter().position(|&b| b == b'&') {
        rest = &rest[at + 1..];
        let Some(end) = rest.iter().take(256).position(|&b| b == b';') else {
            continue;
        };
        if let Some(size) = sizes.get(&rest[..end]) {
            len = len.saturating_add(*size).saturating_sub(end + 2);
        }
        rest = &rest[end + 1..];
    }
    len
}

/// The deepest nesting of objects and arrays in a JSON text, counted outside strings; the
/// scan stops as soon as `limit` is passed.
pub fn check_json_depth(data: &[u8], limit: usize) -> Result<(), LimitExceeded> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in data {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return Err(LimitExceeded::Depth(limit));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The deepest nesting of `[ … ]` and `( … )` in a Turtle or TriG text, counted outside
/// IRIs, strings and comments, so that a deep document is refused before the parser builds
/// its triples. (The check on the parsed triples stays: it covers every syntax.)
pub fn check_turtle_depth(data: &[u8], limit: usize) -> Result<(), LimitExceeded> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'<' => i = skip_past(data, i + 1, b'>'),
            b'#' => i = skip_past(data, i + 1, b'\n'),
            quote @ (b'"' | b'\'') => i = skip_string(data, i, quote),
            b'\\' => i += 2,
            b'[' | b'(' => {
                depth += 1;
                if depth > limit {
                    return Err(LimitExceeded::Depth(limit));
                }
                i += 1;
            }
            b']' | b')' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// The index after the next `end` from `from` (escapes skipped), or the end of the text.
fn skip_past(data: &[u8], mut i: usize, end: u8) -> usize {
    while i < data.len() {
        match data[i] {
            b'\\' => i += 2,
            b if b == end => return i + 1,
            _ => i += 1,
        }
    }
    data.len()
}

/// The index after the string starting at `start`, short (`"…"`) or long (`"""…"""`).
fn skip_string(data: &[u8], start: usize, quote: u8) -> usize {
    let long = [quote; 3];
    if !data[start..].starts_with(&long) {
        return skip_past(data, start + 1, quote);
    }
    let mut i = start + 3;
    while i < data.len() {
        match data[i] {
            b'\\' => i += 2,
            _ if data[i..].starts_with(&long) => return i + 3,
            _ => i += 1,
        }
    }
    data.len()
}

/// Checks one parsed object against the literal bound.
pub fn check_literal(object: &Term, limit: usize) -> Result<(), LimitExceeded> {
    match object {
        Term::Literal(l) if l.value().len() > limit => Err(LimitExceeded::LiteralBytes(limit)),
        _ => Ok(()),
    }
}

/// The deepest chain of blank nodes (nested `[ … ]`, lists, nested JSON-LD objects) in the
/// triples, counted without recursion; katalog's canonical hashing and writers recurse along
/// such chains, so an unbounded one would overflow the stack.
pub fn check_blank_depth(triples: &[Triple], limit: usize) -> Result<(), LimitExceeded> {
    check_blank_links(
        blank_links(triples.iter().map(|t| (&t.subject, &t.object))),
        limit,
    )
}

/// [`check_blank_depth`] over the quads of a dataset: blank nodes are shared by all the
/// graphs of one document, so the chains are counted across graphs.
pub fn check_quad_blank_depth(quads: &[Quad], limit: usize) -> Result<(), LimitExceeded> {
    check_blank_links(
        blank_links(quads.iter().map(|q| (&q.subject, &q.object))),
        limit,
    )
}

/// The links from a blank node to a blank node, by label.
fn blank_links<'a>(
    links: impl Iterator<Item = (&'a NamedOrBlankNode, &'a Term)>,
) -> impl Iterator<Item = (&'a str, &'a str)> {
    links.filter_map(|link| match link {
        (NamedOrBlankNode::BlankNode(s), Term::BlankNode(o)) => Some((s.as_str(), o.as_str())),
        _ => None,
    })
}

/// Refuses chains of blank-node links (subject label, object label) longer than `limit`.
pub fn check_blank_links<'a>(
    links: impl Iterator<Item = (&'a str, &'a str)>,
    limit: usize,
) -> Result<(), LimitExceeded> {
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    for (s, o) in links {
        children.entry(s).or_default().push(o);
    }
    // Longest path from each node, computed in post-order with an explicit stack; a node met
    // again while on the stack (a cycle) counts as a leaf.
    let mut depth: HashMap<&str, usize> = HashMap::new();
    for &root in children.keys() {
        let mut stack: Vec<(&str, usize)> = vec![(root, 0)];
        let mut on_stack: std::collections::HashSet<&str> = [root].into();
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if depth.contains_key(node) && *next == 0 {
                stack.pop();
                on_stack.remove(node);
                continue;
            }
            let kids = children.get(node).map(Vec::as_slice).unwrap_or(&[]);
            if let Some(&child) = kids.get(*next) {
                *next += 1;
                if !depth.contains_key(child) && on_stack.insert(child) {
                    stack.push((child, 0));
                    if stack.len() > limit + 1 {
                        return Err(LimitExceeded::Depth(limit));
                    }
                }
                continue;
            }
            let deepest = kids.iter().filter_map(|k| depth.get(k)).max().copied();
            let own = deepest.map_or(1, |d| d + 1);
            if own > limit {
                return Err(LimitExceeded::Depth(limit));
            }
            depth.insert(node, own);
            stack.pop();
            on_stack.remove(node);
        }
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn trim_start(input: &[u8]) -> &[u8] {
    let start = input
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(input.len());
    &input[start..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdf::parse_graph;
    use oxigraph::io::RdfFormat;

    fn laughs(levels: usize) -> String {
        let mut decls = vec![r#"<!ENTITY l0 "lol">"#.to_owned()];
        for i in 1..levels {
            decls.push(format!(
                r#"<!ENTITY l{i} "{}">"#,
                format!("&l{};", i - 1).repeat(10)
            ));
        }
        format!(
            "<!DOCTYPE rdf:RDF [{}]><x>&l{};</x>",
            decls.join(""),
            levels - 1
        )
    }

    #[test]
    fn entity_expansion_is_measured_before_parsing() {
        assert_eq!(check_xml_entities(laughs(3).as_bytes(), 1 << 20), Ok(()));
        assert_eq!(
            check_xml_entities(laughs(9).as_bytes(), 1 << 20),
            Err(LimitExceeded::EntityExpansion(1 << 20))
        );
        let quadratic = format!(
            r#"<!DOCTYPE r [<!ENTITY a "{}">]><x>{}</x>"#,
            "x".repeat(10_000),
            "&a;".repeat(200)
        );
        assert!(check_xml_entities(quadratic.as_bytes(), 1 << 20).is_err());
        assert!(check_xml_entities(quadratic.as_bytes(), 4 << 20).is_ok());
    }

    #[test]
    fn namespace_entities_as_tools_write_them_pass() {
        let doc = br#"<!DOCTYPE rdf:RDF [
            <!ENTITY xsd "http://www.w3.org/2001/XMLSchema#" >
            <!ENTITY % dct "http://purl.org/dc/terms/">
        ]><rdf:RDF><x rdf:datatype="&xsd;date">&amp;</x></rdf:RDF>"#;
        assert_eq!(check_xml_entities(doc, 4096), Ok(()));
    }

    #[test]
    fn json_depth_ignores_brackets_in_strings() {
        assert_eq!(check_json_depth(br#"{"a": "[[[[\"[[["}"#, 2), Ok(()));
        assert_eq!(
            check_json_depth(br#"{"a": [[{}]]}"#, 3),
            Err(LimitExceeded::Depth(3))
        );
    }

    #[test]
    fn turtle_depth_skips_iris_strings_and_comments() {
        let ttl = br#"<http://a#[[> <http://p> "[[\"[[", """ [[ "" [[ """, '[[' ; # [[[[
            <http://p> ex:a\[b, [ <http://p> ( 1 ) ] ."#;
        assert_eq!(check_turtle_depth(ttl, 2), Ok(()));
        assert_eq!(check_turtle_depth(ttl, 1), Err(LimitExceeded::Depth(1)));
    }

    #[test]
    fn blank_node_depth_counts_nesting_and_lists_not_breadth() {
        let nested = |n: usize| {
            format!(
                "<http://a> <http://p> {} \"x\" {} .",
                "[ <http://p> ".repeat(n),
                "]".repeat(n)
            )
        };
        let depth = |ttl: &str, limit| {
            let triples = parse_graph(ttl.as_bytes(), RdfFormat::Turtle, None).unwrap();
            check_blank_depth(&triples, limit)
        };
        assert_eq!(depth(&nested(10), 10), Ok(()));
        assert_eq!(depth(&nested(11), 10), Err(LimitExceeded::Depth(10)));
        let list = format!("<http://a> <http://p> ({}) .", " 1".repeat(11));
        assert_eq!(depth(&list, 10), Err(LimitExceeded::Depth(10)));
        let wide = "<http://a> <http://p> [], [], [], [], [], [], [], [], [], [], [], [] .";
        assert_eq!(depth(wide, 1), Ok(()));
        let cycle = "_:a <http://p> _:b . _:b <http://p> _:a .";
        assert_eq!(depth(cycle, 2), Ok(()));
    }
}
