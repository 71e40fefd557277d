use oxigraph::io::RdfFormat;

/// The RDF syntaxes katalog serves graphs in. Input accepts every syntax Oxigraph reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GraphFormat {
    Turtle,
    RdfXml,
    JsonLd,
    NTriples,
}

/// Media types accepted as request bodies, listed in 415 answers.
/// The RDF syntaxes a graph is offered in, in preference order (Turtle for `*/*`), with the
/// generic XML and JSON types as aliases last.
pub const RDF_OFFERS: [(&str, GraphFormat); 6] = [
    ("text/turtle", GraphFormat::Turtle),
    ("application/rdf+xml", GraphFormat::RdfXml),
    ("application/ld+json", GraphFormat::JsonLd),
    ("application/n-triples", GraphFormat::NTriples),
    ("application/xml", GraphFormat::RdfXml),
    ("application/json", GraphFormat::JsonLd),
];

pub const INPUT_MEDIA_TYPES: &[&str] = &[
    "text/turtle",
    "application/rdf+xml",
    "application/ld+json",
    "application/n-triples",
    "application/trig",
    "application/n-quads",
    "text/n3",
];

impl GraphFormat {
    pub const ALL: [GraphFormat; 4] = [Self::Turtle, Self::RdfXml, Self::JsonLd, Self::NTriples];

    pub fn media_type(self) -> &'static str {
        match self {
            Self::Turtle => "text/turtle",
            Self::RdfXml => "application/rdf+xml",
            Self::JsonLd => "application/ld+json",
            Self::NTriples => "application/n-triples",
        }
    }

    /// The `Content-Type` header value, with charset where the syntax is text.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Turtle => "text/turtle; charset=utf-8",
            Self::RdfXml => "application/rdf+xml; charset=utf-8",
            Self::JsonLd => "application/ld+json",
            Self::NTriples => "application/n-triples; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Turtle => "ttl",
            Self::RdfXml => "rdf",
            Self::JsonLd => "jsonld",
            Self::NTriples => "nt",
        }
    }

    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext {
            "ttl" => Some(Self::Turtle),
            "rdf" | "xml" | "owl" => Some(Self::RdfXml),
            "jsonld" | "json" => Some(Self::JsonLd),
            "nt" => Some(Self::NTriples),
            _ => None,
        }
    }

    /// Name as used by `--format` options.
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "turtle" | "ttl" => Some(Self::Turtle),
            "rdfxml" | "rdf/xml" | "rdf" | "xml" => Some(Self::RdfXml),
            "jsonld" | "json-ld" => Some(Self::JsonLd),
            "ntriples" | "n-triples" | "nt" => Some(Self::NTriples),
            _ => None,
        }
    }

    pub fn rdf_format(self) -> RdfFormat {
        match self {
            Self::Turtle => RdfFormat::Turtle,
            Self::RdfXml => RdfFormat::RdfXml,
            Self::JsonLd => RdfFormat::JsonLd {
                profile: Default::default(),
            },
            Self::NTriples => RdfFormat::NTriples,
        }
    }
}

/// The input syntax for a `Content-Type` header value (parameters ignored).
pub fn input_format_for_media_type(content_type: &str) -> Option<RdfFormat> {
    let essence = content_type.split(';').next()?.trim().to_ascii_lowercase();
    match essence.as_str() {
        // Plain XML and JSON are what many scripts send for RDF/XML and JSON-LD.
        "application/xml" | "text/xml" => Some(RdfFormat::RdfXml),
        "application/json" => Some(GraphFormat::JsonLd.rdf_format()),
        // Oxigraph reads text/plain as N-Triples; a publisher sending it almost always
        // means something else, so it is refused rather than guessed.
        "text/plain" => None,
        other => RdfFormat::from_media_type(other),
    }
}

/// The syntax a document looks like, for a source that serves no usable `Content-Type`:
/// XML is RDF/XML, JSON is JSON-LD, anything else is read as Turtle (which also reads
/// N-Triples).
pub fn sniff_format(data: &[u8]) -> RdfFormat {
    let text = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(&[][..], |i| &text[i..]);
    match start.first() {
        Some(b'<') if start.starts_with(b"<?xml") || start.starts_with(b"<rdf:") => {
            RdfFormat::RdfXml
        }
        Some(b'{') | Some(b'[') => GraphFormat::JsonLd.rdf_format(),
        _ => RdfFormat::Turtle,
    }
}

/// The input syntax for a file name, by its extension.
pub fn input_format_for_path(path: &std::path::Path) -> Option<RdfFormat> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "xml" | "owl" => Some(RdfFormat::RdfXml),
        "json" => Some(GraphFormat::JsonLd.rdf_format()),
        other => RdfFormat::from_extension(other),
    }
}
