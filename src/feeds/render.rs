//! Writing a harvest document: the catalogue descriptions, the links to every member, then
//! each member record, streamed so memory stays flat however large the catalogue is.
//!
//! In RDF/XML and N-Triples each record is rendered on its own and spliced into the
//! document between the syntax's fixed opening and closing, so a record's rendering can be
//! kept in the [feed cache](super::cache) and reused until the record changes. Decoding a
//! record's terms from the store costs far more than writing them out, and from one nightly
//! harvest to the next few records change.
use super::{Document, FeedError, Feeds, Profile};
use crate::rdf::{GraphFormat, PREFIXES, sort_triples};
use crate::store::RecordInfo;
use oxigraph::io::RdfSerializer;
use oxigraph::model::{NamedOrBlankNode, Triple};
use std::io::{self, Write};

/// Bump when the rendering of a record changes, so older cached renderings are dropped.
const RENDERING_VERSION: u32 = 1;

/// Records looked up in the cache at once (one read transaction, one write of misses).
const BATCH: usize = 512;

impl Feeds {
    /// Writes a document in a syntax and profile: header first, then each record's
    /// triples. The EU profile needs the EU mapping.
    pub fn write_document(
        &self,
        document: Document,
        format: GraphFormat,
        profile: Profile,
        writer: &mut impl Write,
    ) -> Result<(), FeedError> {
        if profile == Profile::European && self.eu.is_none() {
            return Err(FeedError::NoEuMapping);
        }
        Ok(write(self, document, format, profile, writer)?)
    }

    /// The variants the server makes, for pruning the cache of all others.
    pub(super) fn current_variants(&self) -> Vec<String> {
        [GraphFormat::RdfXml, GraphFormat::NTriples]
            .into_iter()
            .flat_map(|f| [Profile::Swedish, Profile::European].map(|p| variant(self, f, p)))
            .collect()
    }
}

fn write(
    feeds: &Feeds,
    mut document: Document,
    format: GraphFormat,
    profile: Profile,
    writer: &mut impl Write,
) -> io::Result<()> {
    let mut header = in_profile(feeds, profile, std::mem::take(&mut document.header));
    sort_triples(&mut header);
    header.dedup();
    let serializer = serializer(format);
    match Framing::of(format, &serializer)? {
        Some(framing) => {
            let mut held = HoldBack::new(writer, framing.closing.len());
            let mut out = serializer.clone().for_writer(&mut held);
            write_header(&document, &header, |t| out.serialize_triple(t))?;
            out.finish()?;
            held.finish(framing.closing)?;
            let renderer = Renderer {
                feeds,
                profile,
                serializer,
                framing: &framing,
                variant: variant(feeds, format, profile),
            };
            renderer.write_members(&document, writer)?;
            writer.write_all(framing.closing)
        }
        None => {
            let mut out = serializer.for_writer(writer);
            write_header(&document, &header, |t| out.serialize_triple(t))?;
            for member in document.members() {
                for t in &record_triples(feeds, profile, member)? {
                    out.serialize_triple(t)?;
                }
            }
            out.finish()?;
            Ok(())
        }
    }
}

fn serializer(format: GraphFormat) -> RdfSerializer {
    let mut serializer = RdfSerializer::from_format(format.rdf_format());
    if format != GraphFormat::NTriples {
        for (prefix, iri) in PREFIXES {
            serializer = serializer.with_prefix(*prefix, *iri).expect("valid prefix");
        }
    }
    serializer
}

/// The header's triples grouped by subject, each catalogue followed by its member links
/// (made as they are written: at 100 000 records they would be the largest part in memory).
fn write_header(
    document: &Document,
    header: &[Triple],
    mut write: impl FnMut(&Triple) -> io::Result<()>,
) -> io::Result<()> {
    let mut linked = vec![false; document.links.len()];
    for group in header.chunk_by(|a, b| a.subject == b.subject) {
        for t in group {
            write(t)?;
        }
        for (i, (catalog, _)) in document.links.iter().enumerate() {
            if !linked[i] && group[0].subject == NamedOrBlankNode::from(catalog.clone()) {
                linked[i] = true;
                document.link_triples(i).try_for_each(|t| write(&t))?;
            }
        }
    }
    for i in (0..document.links.len()).filter(|i| !linked[*i]) {
        document.link_triples(i).try_for_each(|t| write(&t))?;
    }
    Ok(())
}

/// A member record's triples, in the profile. Stored order (the store's graph index:
/// grouped by subject, fixed for unchanged data) is already byte-stable.
fn record_triples(feeds: &Feeds, profile: Profile, member: &RecordInfo) -> io::Result<Vec<Triple>> {
    let triples = feeds
        .catalogue
        .record(member.iri.as_ref())
        .map_err(io::Error::other)?
        .unwrap_or_default();
    let mut triples = in_profile(feeds, profile, triples);
    if profile == Profile::European {
        sort_triples(&mut triples);
        triples.dedup();
    }
    Ok(triples)
}

fn in_profile(feeds: &Feeds, profile: Profile, triples: Vec<Triple>) -> Vec<Triple> {
    match (profile, &feeds.eu) {
        (Profile::European, Some(mapping)) => super::eu::to_dcat_ap(&triples, mapping),
        _ => triples,
    }
}

/// What a syntax writes before the first triple and after the last, the same for every
/// document with the same prefixes: RDF/XML's declaration and `rdf:RDF` element. Syntaxes
/// whose output depends on more than that (Turtle abbreviates across triples, JSON-LD is one
/// nested object) are written whole.
struct Framing {
    opening: Vec<u8>,
    closing: &'static [u8],
}

impl Framing {
    fn of(format: GraphFormat, serializer: &RdfSerializer) -> io::Result<Option<Self>> {
        let closing: &'static [u8] = match format {
            GraphFormat::RdfXml => b"</rdf:RDF>",
            GraphFormat::NTriples => b"",
            GraphFormat::Turtle | GraphFormat::JsonLd => return Ok(None),
        };
        let empty = serializer.clone().for_writer(Vec::new()).finish()?;
        let opening = empty
            .strip_suffix(closing)
            .ok_or_else(|| unexpected("an empty document"))?
            .to_vec();
        Ok(Some(Self { opening, closing }))
    }

    /// The part of a whole one-record document between the opening and the closing.
    fn body(&self, mut document: Vec<u8>) -> io::Result<Vec<u8>> {
        if !document.starts_with(&self.opening) || !document.ends_with(self.closing) {
            return Err(unexpected("a record"));
        }
        document.truncate(document.len() - self.closing.len());
        document.drain(..self.opening.len());
        Ok(document)
    }
}

fn unexpected(what: &str) -> io::Error {
    io::Error::other(format!(
        "the serializer framed {what} differently than expected"
    ))
}

/// Which renderings a cached fragment belongs to.
fn variant(feeds: &Feeds, format: GraphFormat, profile: Profile) -> String {
    let profile = match (profile, &feeds.eu) {
        (Profile::European, Some(mapping)) => format!("eu-{}", mapping.digest),
        _ => "se".to_owned(),
    };
    format!("v{RENDERING_VERSION}/{}/{profile}", format.extension())
}

struct Renderer<'a> {
    feeds: &'a Feeds,
    profile: Profile,
    serializer: RdfSerializer,
    framing: &'a Framing,
    variant: String,
}

impl Renderer<'_> {
    fn write_members(&self, document: &Document, writer: &mut impl Write) -> io::Result<()> {
        let members: Vec<&RecordInfo> = document.members().collect();
        for batch in members.chunks(BATCH) {
            let states: Vec<String> = batch.iter().map(|m| m.state()).collect();
            let cached = self.cached(batch, &states);
            let mut rendered = Vec::new();
            for ((member, state), cached) in batch.iter().zip(states).zip(cached) {
                match cached {
                    Some(fragment) => writer.write_all(&fragment)?,
                    None => {
                        let fragment = self.render(member)?;
                        writer.write_all(&fragment)?;
                        rendered.push((member.iri.as_str().to_owned(), state, fragment));
                    }
                }
            }
            self.keep(&rendered);
        }
        if let Some(cache) = &self.feeds.cache
            && let Err(e) = cache.sync()
        {
            tracing::warn!(error = %e, "syncing the feed cache failed");
        }
        Ok(())
    }

    fn render(&self, member: &RecordInfo) -> io::Result<Vec<u8>> {
        let mut out = self.serializer.clone().for_writer(Vec::new());
        for t in &record_triples(self.feeds, self.profile, member)? {
            out.serialize_triple(t)?;
        }
        self.framing.body(out.finish()?)
    }

    /// Cached fragments of a batch, or none at all if the cache is absent or unreadable.
    fn cached(&self, batch: &[&RecordInfo], states: &[String]) -> Vec<Option<Vec<u8>>> {
        let wanted: Vec<(&str, &str)> = batch
            .iter()
            .zip(states)
            .map(|(m, s)| (m.iri.as_str(), s.as_str()))
            .collect();
        let found = self
            .feeds
            .cache
            .as_ref()
            .map(|c| c.get(&self.variant, &wanted));
        match found {
            Some(Ok(found)) => found,
            Some(Err(e)) => {
                tracing::warn!(error = %e, "reading the feed cache failed");
                vec![None; batch.len()]
            }
            None => vec![None; batch.len()],
        }
    }

    fn keep(&self, rendered: &[(String, String, Vec<u8>)]) {
        if let Some(cache) = &self.feeds.cache
            && let Err(e) = cache.put(&self.variant, rendered)
        {
            tracing::warn!(error = %e, "writing the feed cache failed");
        }
    }
}

/// A writer that passes everything on but the last `keep` bytes, which [`HoldBack::finish`]
/// checks: how the closing of a streamed header is cut off.
struct HoldBack<'a, W: Write> {
    inner: &'a mut W,
    keep: usize,
    tail: Vec<u8>,
}

impl<'a, W: Write> HoldBack<'a, W> {
    fn new(inner: &'a mut W, keep: usize) -> Self {
        Self {
            inner,
            keep,
            tail: Vec::new(),
        }
    }

    fn finish(self, expected: &[u8]) -> io::Result<()> {
        if self.tail != expected {
            return Err(unexpected("the catalogue header"));
        }
        Ok(())
    }
}

impl<W: Write> Write for HoldBack<'_, W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.tail.extend_from_slice(data);
        if self.tail.len() > self.keep {
            let pass = self.tail.len() - self.keep;
            self.inner.write_all(&self.tail[..pass])?;
            self.tail.drain(..pass);
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hold_back_keeps_the_tail() {
        let mut out = Vec::new();
        let mut held = HoldBack::new(&mut out, 3);
        held.write_all(b"abc").unwrap();
        held.write_all(b"defgh").unwrap();
        held.finish(b"fgh").unwrap();
        assert_eq!(out, b"abcde");
    }

    #[test]
    fn framing_matches_the_serializers() {
        for format in [GraphFormat::RdfXml, GraphFormat::NTriples] {
            let serializer = serializer(format);
            let framing = Framing::of(format, &serializer).unwrap().unwrap();
            let t = Triple::new(
                oxigraph::model::NamedNode::new_unchecked("http://example.org/s"),
                crate::rdf::ns::dcterms::TITLE,
                oxigraph::model::Literal::new_language_tagged_literal_unchecked("x", "sv"),
            );
            let mut out = serializer.clone().for_writer(Vec::new());
            out.serialize_triple(&t).unwrap();
            let body = framing.body(out.finish().unwrap()).unwrap();
            assert!(
                String::from_utf8(body)
                    .unwrap()
                    .contains("http://example.org/s")
            );
        }
    }
}
