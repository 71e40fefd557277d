//! A source's catalogue kept on disk while a run works through it, so that the run's memory
//! follows its batch, not the source (100 000 datasets held whole took 400 MB).
//!
//! A source is held in memory, compactly (`rdf::Document`), until its pages pass
//! [`HOLD_BYTES`]: that is fastest, and its memory is bounded by that size. Past it, what was
//! read spills to disk, and so does every page after. Each page is then parsed as it
//! arrives and written out as N-Triples; memory keeps only the
//! shape of the graph: a 64-bit key for each subject, the links from subjects to nodes, and
//! the record roots. From the shape, each record's nodes are known (what its root reaches
//! through nodes that are not roots, as `store::plan_records` reaches them); every triple is
//! then copied into the part of each record that reaches its subject (a shared publisher into
//! all), and the parts, [`RECORDS_PER_PART`] records each, are split into records one at a
//! time by `store::plan_records` itself, so a record is what it would be from the document
//! held whole.
//!
//! Two terms of one source with the same 64-bit key (about one chance in 10^7 at a million
//! terms) are taken for one node; a part then holds more triples than it needs, which its
//! own split passes over.
use crate::rdf::ns::{dcat, dcterms, hydra, rdf};
use crate::rdf::{
    Document, Graph, LimitExceeded, Limits, ParseError, check_blank_links, parse_lenient_into,
};
use crate::store::{Planned, RecordKind, blank_root_iris, plan_records};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{BlankNode, NamedNode, NamedOrBlankNode, Term, Triple};
use rustc_hash::{FxHashMap, FxHashSet};
use std::fmt::Write as _;
use std::fs::File;
use std::hash::{DefaultHasher, Hasher};
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Records in one part: a part is read, split and checked while the store writes the one
/// before, so this bounds the run's memory.
const RECORDS_PER_PART: usize = 2_500;

/// Bytes of pages held in memory before the source spills to disk, unless configured: some
/// 15 000 datasets in Turtle, read in about five times their size.
pub const HOLD_BYTES: u64 = 32 << 20;

/// A source's pages, read and held in memory or kept on disk.
pub struct Spool {
    dir: tempfile::TempDir,
    /// The pages read, while they are held in memory.
    held: Option<Document>,
    /// Bytes of pages read, and how many may be held.
    read: u64,
    hold: u64,
    /// Every triple read, as N-Triples lines, in the order read.
    all: BufWriter<File>,
    /// The number of each subject, by the key of its N-Triples form.
    nodes: FxHashMap<u64, u32>,
    /// Links from a subject to an IRI or blank node (its key): the object may be a subject.
    links: Vec<(u32, u64)>,
    /// Record roots by subject number, and their kind.
    roots: FxHashMap<u32, RecordKind>,
    blank_roots: bool,
    /// Subjects typed `dcat:Catalog`, subjects that list datasets, and `dcterms:hasPart`
    /// links: the sub-catalogues to read.
    catalogues: FxHashSet<u64>,
    listing: FxHashSet<u64>,
    has_part: Vec<(u64, NamedNode)>,
    pages: usize,
}

/// What one page showed besides its triples.
pub struct Page {
    /// The pages it names as next (`hydra:next`, `hydra:nextPage`), sorted.
    pub next: Vec<String>,
    /// The statements the parser passed over.
    pub passed_over: Vec<ParseError>,
    pub triples: usize,
}

impl Spool {
    /// A spool that holds `hold` bytes of pages in memory before it spills to disk, in a
    /// folder of its own under `dir` (None: the system's temporary folder), removed when
    /// the run is done.
    pub fn holding(hold: u64, dir: Option<&Path>) -> io::Result<Self> {
        let mut folder = tempfile::Builder::new();
        folder.prefix("run-");
        let dir = match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)?;
                folder.tempdir_in(dir)?
            }
            None => folder.tempdir()?,
        };
        let all = BufWriter::with_capacity(1 << 18, File::create(dir.path().join("all.nt"))?);
        Ok(Self {
            dir,
            held: Some(Document::default()),
            read: 0,
            hold,
            all,
            nodes: FxHashMap::default(),
            links: Vec::new(),
            roots: FxHashMap::default(),
            blank_roots: false,
            catalogues: FxHashSet::default(),
            listing: FxHashSet::default(),
            has_part: Vec::new(),
            pages: 0,
        })
    }

    /// A new file in the spool's folder, for the next page to be fetched into.
    pub fn page_file(&mut self) -> PathBuf {
        self.pages += 1;
        self.dir.path().join(format!("page-{}", self.pages))
    }

    /// How many pages were fetched into the spool.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// Reads the page in `file` (then removed), leniently (see `rdf::parse_graph_lenient`).
    pub fn read_page(
        &mut self,
        file: &Path,
        format: RdfFormat,
        base_iri: Option<&str>,
        limits: &Limits,
    ) -> Result<Page, ParseError> {
        let io = |e: io::Error| ParseError::without_position(e.to_string());
        self.read += std::fs::metadata(file).map_err(io)?.len();
        if self.read > self.hold {
            self.spill().map_err(io)?;
        }
        let mut sink = PageSink {
            spool: self,
            count: 0,
            blank_links: Vec::new(),
            next: Vec::new(),
            line: String::new(),
            error: None,
        };
        let passed_over = parse_lenient_into(
            &mut sink,
            File::open(file).map_err(io)?,
            format,
            base_iri,
            limits,
        )?;
        if let Some(e) = sink.error {
            return Err(io(e));
        }
        let (mut next, triples) = (sink.next, sink.count);
        next.sort();
        next.dedup();
        std::fs::remove_file(file).map_err(io)?;
        Ok(Page {
            next,
            passed_over,
            triples,
        })
    }

    /// Sub-catalogues to read: `dcterms:hasPart` of a catalogue, when the pages read do not
    /// list their datasets themselves.
    pub fn sub_catalogues(&self) -> Vec<NamedNode> {
        let mut parts: Vec<NamedNode> = self
            .has_part
            .iter()
            .filter(|(s, part)| {
                self.catalogues.contains(s) && !self.listing.contains(&key(&part.to_string()))
            })
            .map(|(_, part)| part.clone())
            .collect();
        parts.sort();
        parts.dedup();
        parts
    }

    /// The source's records: planned whole when it was held in memory, else in parts on
    /// disk (see [`Spool::into_parts_of`]).
    pub fn finish(self, base: &str) -> io::Result<Spooled> {
        self.finish_in(base, RECORDS_PER_PART)
    }

    fn finish_in(mut self, base: &str, per_part: usize) -> io::Result<Spooled> {
        match self.held.take() {
            Some(mut document) => {
                document.finish();
                Ok(Spooled::Held(plan_records(document, base)))
            }
            None => Ok(Spooled::Parts(self.into_parts_of(base, per_part)?)),
        }
    }

    /// Writes what is held in memory out to disk; the spool keeps to disk from then on.
    fn spill(&mut self) -> io::Result<()> {
        let Some(document) = self.held.take() else {
            return Ok(());
        };
        let mut line = String::new();
        for i in 0..document.len() {
            let triple = document.triple(i);
            let (subject, object) = write_line(&mut line, &triple);
            self.shape(&triple, &line, subject, object);
            self.all.write_all(line.as_bytes())?;
        }
        Ok(())
    }

    /// Copies every triple into the parts of the records that reach its subject, and frees
    /// the graph's shape: what is left is read one part at a time.
    fn into_parts_of(mut self, base: &str, per_part: usize) -> io::Result<Parts> {
        self.all.flush()?;
        let routes = self.routes(per_part);
        let parts = routes.parts;
        let mut writers = (0..parts)
            .map(|p| Ok(BufWriter::new(File::create(part_path(self.dir.path(), p))?)))
            .collect::<io::Result<Vec<_>>>()?;
        let all = self.dir.path().join("all.nt");
        let mut reader = BufReader::with_capacity(1 << 18, File::open(&all)?);
        let mut line = String::new();
        // A triple that no record reaches goes nowhere: it is not stored.
        while reader.read_line(&mut line)? > 0 {
            let subject = line.split(' ').next().unwrap_or_default();
            let parts = self.nodes.get(&key(subject)).map(|&n| routes.of(n));
            for &part in parts.unwrap_or_default() {
                writers[part as usize].write_all(line.as_bytes())?;
            }
            line.clear();
        }
        for mut writer in writers {
            writer.flush()?;
        }
        std::fs::remove_file(all)?;
        let mut parts = Parts {
            dir: self.dir,
            parts,
            base: base.to_owned(),
            minted: FxHashMap::default(),
        };
        if self.blank_roots {
            parts.mint()?;
        }
        Ok(parts)
    }

    /// The parts each subject's triples go to.
    fn routes(&mut self, per_part: usize) -> Routes {
        let links = self.adjacency();
        let mut roots: Vec<(u32, RecordKind)> = self.roots.drain().collect();
        roots.sort_unstable();
        let is_root = |n: u32, roots: &[(u32, RecordKind)]| {
            roots.binary_search_by_key(&n, |(r, _)| *r).is_ok()
        };
        let mut routes = Routes {
            first: vec![u32::MAX; self.nodes.len()],
            more: FxHashMap::default(),
            parts: roots.len().div_ceil(per_part),
        };
        let mut queue = Vec::new();
        for (number, &(root, _)) in roots.iter().enumerate() {
            let part = (number / per_part) as u32;
            routes.add(root, part);
            queue.push(root);
            // A node already in this part had what it reaches put there with it.
            while let Some(node) = queue.pop() {
                for &next in links.of(node) {
                    if !is_root(next, &roots) && routes.add(next, part) {
                        queue.push(next);
                    }
                }
            }
        }
        routes
    }

    /// The links between subjects, by subject.
    fn adjacency(&mut self) -> Adjacency {
        let links: Vec<(u32, u32)> = std::mem::take(&mut self.links)
            .into_iter()
            .filter_map(|(s, o)| Some((s, *self.nodes.get(&o)?)))
            .collect();
        let mut start = vec![0u32; self.nodes.len() + 1];
        for &(s, _) in &links {
            start[s as usize + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut next = start.clone();
        let mut targets = vec![0u32; links.len()];
        for (s, o) in links {
            targets[next[s as usize] as usize] = o;
            next[s as usize] += 1;
        }
        Adjacency { start, targets }
    }

    /// Notes what tells the sub-catalogues to read; `subject` is the key of the triple's
    /// subject, made only when needed.
    fn note(&mut self, triple: &Triple, subject: impl FnOnce() -> u64) {
        let p = triple.predicate.as_ref();
        match &triple.object {
            Term::NamedNode(o) if p == rdf::TYPE && o.as_ref() == dcat::CATALOG => {
                self.catalogues.insert(subject());
            }
            Term::NamedNode(o) if p == dcterms::HAS_PART => {
                self.has_part.push((subject(), o.clone()));
            }
            _ if p == dcat::DATASET_LINK => {
                self.listing.insert(subject());
            }
            _ => {}
        }
    }

    /// Takes in the shape of one triple, written as `line`; `subject` and `object` are the
    /// length of the subject and where the object starts in it.
    fn shape(&mut self, triple: &Triple, line: &str, subject: usize, object: usize) {
        let next = self.nodes.len() as u32;
        let s = *self.nodes.entry(key(&line[..subject])).or_insert(next);
        let object_key = || key(line[object..].trim_end_matches(" .\n"));
        match &triple.object {
            Term::NamedNode(o) => {
                self.links.push((s, object_key()));
                if triple.predicate.as_ref() == rdf::TYPE
                    && let Some(kind) = RecordKind::from_class(o.as_str())
                {
                    self.blank_roots |= triple.subject.is_blank_node();
                    self.roots
                        .entry(s)
                        .and_modify(|k| *k = (*k).min(kind))
                        .or_insert(kind);
                }
            }
            Term::BlankNode(_) => self.links.push((s, object_key())),
            Term::Literal(_) => {}
        }
    }
}

/// Writes `triple` as an N-Triples line into `line`; the length of its subject and where its
/// object starts.
fn write_line(line: &mut String, triple: &Triple) -> (usize, usize) {
    line.clear();
    let _ = write!(line, "{}", triple.subject);
    let subject = line.len();
    let _ = write!(line, " {} ", triple.predicate);
    let object = line.len();
    let _ = writeln!(line, "{} .", triple.object);
    (subject, object)
}

/// What a run works through: a source held in memory, planned whole, or one in parts on
/// disk.
pub enum Spooled {
    Held(Planned),
    Parts(Parts),
}

/// The 64-bit key of a text (a term's N-Triples form, a record's IRI): what a run keeps of
/// many terms instead of the terms.
pub(super) fn key(term: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    hasher.write(term.as_bytes());
    hasher.finish()
}

fn part_path(dir: &Path, part: usize) -> PathBuf {
    dir.join(format!("part-{part}.nt"))
}

/// Links by subject: `targets[start[n]..start[n + 1]]` are those of subject `n`.
struct Adjacency {
    start: Vec<u32>,
    targets: Vec<u32>,
}

impl Adjacency {
    fn of(&self, node: u32) -> &[u32] {
        let node = node as usize;
        &self.targets[self.start[node] as usize..self.start[node + 1] as usize]
    }
}

/// The parts each subject goes to: most go to one (`first`); a shared one has the list of
/// all of its parts in `more`.
struct Routes {
    first: Vec<u32>,
    more: FxHashMap<u32, Vec<u32>>,
    parts: usize,
}

impl Routes {
    /// Puts `node` in `part`; false when it was there already. Parts are filled in order, so
    /// a node's parts are increasing and only the last need be compared.
    fn add(&mut self, node: u32, part: u32) -> bool {
        let first = self.first[node as usize];
        if first == u32::MAX {
            self.first[node as usize] = part;
            return true;
        }
        if first == part {
            return false;
        }
        match self.more.get_mut(&node) {
            Some(parts) if parts.last() == Some(&part) => false,
            Some(parts) => {
                parts.push(part);
                true
            }
            None => {
                self.more.insert(node, vec![first, part]);
                true
            }
        }
    }

    /// The parts of `node`: its first alone, or, when shared, the list of all of them.
    fn of(&self, node: u32) -> &[u32] {
        let first = &self.first[node as usize];
        if *first == u32::MAX {
            return &[];
        }
        match self.more.get(&node) {
            Some(parts) => parts.as_slice(),
            None => std::slice::from_ref(first),
        }
    }
}

/// Collects a page's triples into the spool: held, or each written as an N-Triples line
/// and its shape noted.
struct PageSink<'a> {
    spool: &'a mut Spool,
    count: usize,
    /// Links from a blank node to a blank node, for the nesting limit.
    blank_links: Vec<(String, String)>,
    next: Vec<String>,
    line: String,
    /// The first error writing the spool (the parser's callback cannot return it).
    error: Option<io::Error>,
}

impl Graph for PageSink<'_> {
    fn count(&self) -> usize {
        self.count
    }

    fn add(&mut self, triple: Triple) {
        self.count += 1;
        if let (NamedOrBlankNode::BlankNode(s), Term::BlankNode(o)) =
            (&triple.subject, &triple.object)
        {
            self.blank_links
                .push((s.as_str().to_owned(), o.as_str().to_owned()));
        }
        if let Term::NamedNode(o) = &triple.object
            && is_next_link(&triple.predicate)
        {
            self.next.push(o.as_str().to_owned());
        }
        if self.spool.held.is_some() {
            self.spool
                .note(&triple, || key(&triple.subject.to_string()));
            if let Some(document) = &mut self.spool.held {
                document.insert(triple);
            }
            return;
        }
        let (subject, object) = write_line(&mut self.line, &triple);
        let line = &self.line;
        self.spool.note(&triple, || key(&line[..subject]));
        self.spool.shape(&triple, line, subject, object);
        if self.error.is_none()
            && let Err(e) = self.spool.all.write_all(self.line.as_bytes())
        {
            self.error = Some(e);
        }
    }

    fn close(&mut self, max_depth: usize) -> Result<(), LimitExceeded> {
        let links = self
            .blank_links
            .iter()
            .map(|(s, o)| (s.as_str(), o.as_str()));
        check_blank_links(links, max_depth)
    }
}

/// `hydra:next`, or the older `hydra:nextPage`.
fn is_next_link(predicate: &NamedNode) -> bool {
    let p = predicate.as_str();
    p == hydra::NEXT.as_str() || p.strip_prefix(hydra::NS.as_str()) == Some("nextPage")
}

/// A spooled source split into parts, each read as a document of its own.
pub struct Parts {
    dir: tempfile::TempDir,
    parts: usize,
    base: String,
    /// The IRIs minted for blank-node records, by blank node: a record in one part may name
    /// one described in another.
    minted: FxHashMap<BlankNode, NamedNode>,
}

impl Parts {
    /// The number of parts.
    pub fn count(&self) -> usize {
        self.parts
    }

    /// Part `part`, planned into records (see `store::plan_records`).
    pub fn planned(&self, part: usize) -> io::Result<Planned> {
        let mut document = self.document(part)?;
        if !self.minted.is_empty() {
            document.rename(|term| match term {
                Term::BlankNode(b) => self.minted.get(b).map(|iri| iri.clone().into()),
                _ => None,
            });
        }
        Ok(plan_records(document, &self.base))
    }

    fn document(&self, part: usize) -> io::Result<Document> {
        let file = File::open(part_path(self.dir.path(), part))?;
        // Blank nodes keep the labels the spool gave them: a node shared by records in two
        // parts is one node. The spool wrote the file from checked terms, so it is read
        // without checking them again.
        let parser = RdfParser::from_format(RdfFormat::NTriples).lenient();
        let mut document = Document::default();
        for triple in parser.for_reader(BufReader::with_capacity(1 << 16, file)) {
            let triple = triple.map_err(io::Error::other)?;
            document.insert(triple.into());
        }
        document.finish();
        Ok(document)
    }

    /// Mints the IRIs of blank-node records, each in the part that holds its description.
    fn mint(&mut self) -> io::Result<()> {
        for part in 0..self.parts {
            let document = self.document(part)?;
            self.minted.extend(blank_root_iris(&document, &self.base));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdf::{isomorphic, parse_document_within};
    use std::collections::BTreeMap;

    const BASE: &str = "https://katalog.example/";

    /// Shared and blank nodes across records, a blank-node series named from another
    /// record, literals that N-Triples must escape, a lexical form the store would change,
    /// and a statement no record reaches.
    const CATALOGUE: &str = r#"
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<https://x.se/catalog> a dcat:Catalog ; dcat:dataset <https://x.se/d1>, <https://x.se/d2> ;
  dcterms:hasPart <https://x.se/part> .
<https://x.se/page1> hydra:next <https://x.se/page2> .
<https://x.se/d2> a dcat:Dataset ; dcterms:title "Två"@sv ; dcterms:publisher <https://x.se/org> .
<https://x.se/org> a foaf:Agent ; foaf:name "Kommunen" .
<https://x.se/nobody> foaf:name "ingen" .
<https://x.se/d1> a dcat:Dataset ; dcterms:title "Tre \"citat\"\nrad\tflik \\ å"@sv ;
  dcterms:publisher <https://x.se/org> ; dcat:contactPoint _:c ; dcat:inSeries _:s ;
  dcat:distribution [ a dcat:Distribution ; dcat:byteSize "007"^^xsd:nonNegativeInteger ] .
<https://x.se/d3> a dcat:Dataset ; dcterms:title "Tre" ; dcat:contactPoint _:c ;
  dcterms:publisher <https://x.se/org> .
_:c foaf:name "Kontakt" ; foaf:mbox [ foaf:name "djup" ] .
_:s a dcat:DatasetSeries ; dcterms:title "Serie"@sv .
"#;

    fn by_iri(
        records: impl IntoIterator<Item = crate::store::Record>,
    ) -> BTreeMap<String, Vec<Triple>> {
        records
            .into_iter()
            .map(|r| (r.iri.as_str().to_owned(), r.triples))
            .collect()
    }

    /// The records of CATALOGUE read as two pages (its blank nodes all on the second, as a
    /// label names one node only within its page), held until `hold` bytes, in parts of
    /// `per_part` records once spilled.
    fn spooled(per_part: usize, hold: u64) -> (BTreeMap<String, Vec<Triple>>, Vec<Page>) {
        let mut spool = Spool::holding(hold, None).unwrap();
        let (first, second) = CATALOGUE.split_at(CATALOGUE.find("<https://x.se/d1> a").unwrap());
        let prefixes = &CATALOGUE[..CATALOGUE.find("<https://x.se/catalog>").unwrap()];
        let mut pages = Vec::new();
        for text in [first.to_owned(), format!("{prefixes}{second}")] {
            let file = spool.page_file();
            std::fs::write(&file, text).unwrap();
            let page = spool.read_page(&file, RdfFormat::Turtle, None, &Limits::DEFAULT);
            pages.push(page.unwrap());
        }
        assert_eq!(
            spool.sub_catalogues(),
            [NamedNode::new_unchecked("https://x.se/part")]
        );
        let records = match spool.finish_in(BASE, per_part).unwrap() {
            Spooled::Held(planned) => {
                assert!(hold > CATALOGUE.len() as u64, "held though past the bound");
                planned.into_split().records
            }
            Spooled::Parts(parts) => (0..parts.count())
                .flat_map(|p| parts.planned(p).unwrap().into_split().records)
                .collect(),
        };
        (by_iri(records), pages)
    }

    #[test]
    fn records_from_parts_are_those_of_the_whole_document() {
        let whole = parse_document_within(
            CATALOGUE.as_bytes(),
            RdfFormat::Turtle,
            None,
            &Limits::DEFAULT,
        )
        .unwrap();
        let count = whole.len();
        let whole = by_iri(plan_records(whole, BASE).into_split().records);
        assert_eq!(whole.len(), 5, "{:?}", whole.keys());
        // Held whole; spilled before the first page or after it, in parts of every size.
        let ways = [(2, 1 << 20), (1, 0), (2, 0), (100, 0), (1, 600)];
        for (per_part, hold) in ways {
            let (parts, pages) = spooled(per_part, hold);
            assert_eq!(pages[0].next, ["https://x.se/page2"]);
            assert_eq!(pages.iter().map(|p| p.triples).sum::<usize>(), count);
            assert_eq!(
                parts.keys().collect::<Vec<_>>(),
                whole.keys().collect::<Vec<_>>()
            );
            for (iri, triples) in &whole {
                assert!(
                    isomorphic(triples, &parts[iri]),
                    "{iri} in parts of {per_part}, held to {hold}: {:#?} vs {:#?}",
                    parts[iri],
                    triples
                );
            }
        }
    }
}
