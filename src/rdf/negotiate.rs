//! `Accept` header parsing and server-driven content negotiation (RFC 9110, section 12.5.1).

/// One entry of an `Accept` header.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaRange {
    pub kind: String,
    pub subtype: String,
    pub quality: f32,
}

impl MediaRange {
    /// How specifically this range matches `media_type`: None if it does not match.
    fn specificity(&self, media_type: &str) -> Option<u8> {
        let (kind, subtype) = media_type.split_once('/')?;
        match (self.kind.as_str(), self.subtype.as_str()) {
            ("*", "*") => Some(0),
            (k, "*") if k.eq_ignore_ascii_case(kind) => Some(1),
            (k, s) if k.eq_ignore_ascii_case(kind) && s.eq_ignore_ascii_case(subtype) => Some(2),
            _ => None,
        }
    }
}

/// Parses an `Accept` header; malformed entries are skipped, as most servers do.
pub fn parse_accept(header: &str) -> Vec<MediaRange> {
    header
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let (kind, subtype) = parts.next()?.trim().split_once('/')?;
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0)
                .clamp(0.0, 1.0);
            Some(MediaRange {
                kind: kind.trim().to_ascii_lowercase(),
                subtype: subtype.trim().to_ascii_lowercase(),
                quality,
            })
        })
        .collect()
}

/// Picks the offer the client prefers. `offers` are (media type, value) in server preference
/// order, which breaks ties. No header means "anything": the first offer.
pub fn negotiate<T: Copy>(accept: Option<&str>, offers: &[(&str, T)]) -> Option<T> {
    let Some(header) = accept.filter(|h| !h.trim().is_empty()) else {
        return offers.first().map(|(_, v)| *v);
    };
    let ranges = parse_accept(header);
    let mut best: Option<(f32, T)> = None;
    for (media_type, value) in offers {
        // The most specific matching range decides this offer's quality.
        let quality = ranges
            .iter()
            .filter_map(|r| r.specificity(media_type).map(|s| (s, r.quality)))
            .max_by_key(|(s, _)| *s)
            .map(|(_, q)| q)
            .unwrap_or(0.0);
        if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, *value));
        }
    }
    best.map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFERS: &[(&str, u8)] = &[
        ("text/turtle", 1),
        ("text/html", 2),
        ("application/rdf+xml", 3),
    ];

    #[test]
    fn browser_gets_html() {
        let accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(negotiate(Some(accept), OFFERS), Some(2));
    }

    #[test]
    fn wildcard_gets_first_offer() {
        assert_eq!(negotiate(Some("*/*"), OFFERS), Some(1));
        assert_eq!(negotiate(None, OFFERS), Some(1));
    }

    #[test]
    fn quality_and_exclusion() {
        assert_eq!(
            negotiate(Some("text/turtle;q=0.5, application/rdf+xml"), OFFERS),
            Some(3)
        );
        assert_eq!(
            negotiate(Some("text/*;q=0, application/rdf+xml;q=0.1"), OFFERS),
            Some(3)
        );
        assert_eq!(negotiate(Some("image/png"), OFFERS), None);
    }
}
