//! Building the form from the shapes graph: the fields of the dataset, its distribution and
//! its contact point, with labels, help and choices from the vocabularies.

use super::{Choice, Field, FieldKind, FormSpec, Group, LANGS, iri, lang_matches};
use crate::rdf::ns::{dcat, dcterms, foaf};
use crate::shacl::{ShapesGraph, sh};
use oxigraph::model::NamedNode;
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{Graph, NamedNodeRef, NamedOrBlankNodeRef, TermRef};
use std::collections::{BTreeMap, HashSet};

/// Dataset properties the form never shows: set by the server, or edited as a group.
const NOT_EDITED: [NamedNodeRef<'static>; 4] = [
    dcterms::PUBLISHER,
    dcterms::MODIFIED,
    dcat::DISTRIBUTION_LINK,
    dcat::CONTACT_POINT,
];

/// Distribution properties in the form, with their keys (after `distribution.`).
const DISTRIBUTION_FIELDS: [(NamedNodeRef<'static>, &str); 6] = [
    (dcat::ACCESS_URL, "accessURL"),
    (dcat::DOWNLOAD_URL, "downloadURL"),
    (dcterms::FORMAT, "format"),
    (dcterms::LICENSE, "license"),
    (dcterms::TITLE, "title"),
    (dcterms::DESCRIPTION, "description"),
];

/// Contact point properties in the form, with their keys (after `contact.`).
const CONTACT_FIELDS: [(NamedNodeRef<'static>, &str); 2] =
    [(iri::VCARD_FN, "name"), (iri::VCARD_HAS_EMAIL, "email")];

/// Long free text: the shapes cannot tell a paragraph from a short name.
const MULTILINE: [NamedNodeRef<'static>; 2] = [dcterms::DESCRIPTION, iri::ADMS_VERSION_NOTES];

/// Language-tagged text given as a list (one value per line); other text has one value
/// per language, as DCAT-AP expects of titles and descriptions.
const TEXT_LISTS: [NamedNodeRef<'static>; 1] = [dcat::KEYWORD];

/// Order of the dataset fields within a level (mandatory, recommended, optional): what
/// describes the data first, then links and details; other properties follow by Swedish
/// label. An `sh:order` in the shapes comes before this list.
const PREFERRED_ORDER: [&str; 14] = [
    "http://purl.org/dc/terms/title",
    "http://purl.org/dc/terms/description",
    "http://www.w3.org/ns/dcat#keyword",
    "http://www.w3.org/ns/dcat#theme",
    "http://purl.org/dc/terms/accessRights",
    "http://purl.org/dc/terms/issued",
    "http://purl.org/dc/terms/conformsTo",
    "http://www.w3.org/ns/dcat#landingPage",
    "http://purl.org/dc/terms/accrualPeriodicity",
    "http://purl.org/dc/terms/language",
    "http://purl.org/dc/terms/identifier",
    "http://xmlns.com/foaf/0.1/page",
    "http://www.w3.org/ns/dcat#version",
    "http://www.w3.org/ns/adms#versionNotes",
];

/// Prefixes that make a key unique when two properties share a local name.
const KEY_PREFIXES: [(&str, &str); 6] = [
    ("http://www.w3.org/ns/adms#", "adms"),
    ("http://www.w3.org/2002/07/owl#", "owl"),
    ("http://xmlns.com/foaf/0.1/", "foaf"),
    ("http://data.europa.eu/r5r/", "dcatap"),
    ("http://www.w3.org/ns/dcat#", "dcat"),
    ("http://purl.org/dc/terms/", "dcterms"),
];

impl FormSpec {
    /// Build from the shapes graph (all files in shapes/, parsed) and the vocab graph (all files in vocab/).
    pub fn from_graphs(shapes: &Graph, vocab: &Graph) -> FormSpec {
        let shapes = ShapesGraph { graph: shapes };
        let mut fields = dataset_fields(shapes, vocab);
        fields.extend(group_fields(
            shapes,
            vocab,
            dcat::DISTRIBUTION,
            Group::Distribution,
            &DISTRIBUTION_FIELDS,
        ));
        fields.extend(group_fields(
            shapes,
            vocab,
            iri::VCARD_ORGANIZATION,
            Group::Contact,
            &CONTACT_FIELDS,
        ));
        FormSpec {
            fields,
            publisher_type: default_publisher_type(shapes),
        }
    }

    /// The field with this key (a value key such as `title@sv` finds `title`).
    pub fn field(&self, key: &str) -> Option<&Field> {
        let base = key.split_once('@').map_or(key, |(base, _)| base);
        self.fields.iter().find(|f| f.key == base)
    }
}

/// The dataset fields: every simple path of the dataset shapes the form can edit,
/// mandatory first, then recommended, then optional.
fn dataset_fields(shapes: ShapesGraph<'_>, vocab: &Graph) -> Vec<Field> {
    let mut fields: Vec<(Field, Option<f64>)> = property_shapes(shapes, dcat::DATASET)
        .into_iter()
        .filter(|(path, _)| !NOT_EDITED.contains(&path.as_ref()))
        .filter_map(|(path, list)| {
            let facts = Facts::read(shapes, &list);
            let order = facts.order;
            facts
                .into_field(vocab, path, Group::Dataset)
                .map(|f| (f, order))
        })
        .collect();
    fields.sort_by(|(a, a_order), (b, b_order)| {
        let preferred = |f: &Field| PREFERRED_ORDER.iter().position(|p| *p == f.path.as_str());
        let order = |o: &Option<f64>| o.unwrap_or(f64::MAX);
        level(a)
            .cmp(&level(b))
            .then(order(a_order).total_cmp(&order(b_order)))
            .then(
                preferred(a)
                    .unwrap_or(usize::MAX)
                    .cmp(&preferred(b).unwrap_or(usize::MAX)),
            )
            .then_with(|| a.label_sv.cmp(&b.label_sv))
    });
    let mut fields: Vec<Field> = fields.into_iter().map(|(f, _)| f).collect();
    assign_keys(&mut fields);
    fields
}

/// 0 mandatory, 1 recommended, 2 optional.
pub(super) fn level(field: &Field) -> u8 {
    match (field.required, field.recommended) {
        (true, _) => 0,
        (false, true) => 1,
        _ => 2,
    }
}

/// Keys are local names; a later property with the same local name gets its prefix.
fn assign_keys(fields: &mut [Field]) {
    let mut taken = HashSet::new();
    for field in fields {
        let local = local_name(field.path.as_str());
        let mut key = local.to_owned();
        if taken.contains(&key) {
            key = match KEY_PREFIXES
                .iter()
                .find(|(ns, _)| field.path.as_str().starts_with(ns))
            {
                Some((_, prefix)) => format!("{prefix}{}", capitalised(local.to_owned())),
                None => format!("{local}{}", taken.len()),
            };
        }
        taken.insert(key.clone());
        field.key = key;
    }
}

fn local_name(iri: &str) -> &str {
    let local = iri.rsplit(['#', '/']).next().unwrap_or(iri);
    if local.is_empty() { iri } else { local }
}

/// The fields of a distribution or contact point: the listed properties, as the shapes
/// of `class` describe them, required first.
fn group_fields(
    shapes: ShapesGraph<'_>,
    vocab: &Graph,
    class: NamedNodeRef<'_>,
    group: Group,
    wanted: &[(NamedNodeRef<'static>, &str)],
) -> Vec<Field> {
    let by_path = property_shapes(shapes, class);
    let prefix = group.key();
    let mut fields: Vec<Field> = wanted
        .iter()
        .filter_map(|(path, key)| {
            let list = by_path.get(&path.into_owned())?;
            let mut field =
                Facts::read(shapes, list).into_field(vocab, path.into_owned(), group)?;
            field.key = format!("{prefix}.{key}");
            Some(field)
        })
        .collect();
    // Stable: the listed order within a level.
    fields.sort_by_key(level);
    fields
}

/// The active property shapes with a simple predicate path of the node shapes targeting
/// `class`, by path.
fn property_shapes<'a>(
    shapes: ShapesGraph<'a>,
    class: NamedNodeRef<'_>,
) -> BTreeMap<NamedNode, Vec<TermRef<'a>>> {
    let mut by_path: BTreeMap<NamedNode, Vec<TermRef<'a>>> = BTreeMap::new();
    let node_shapes = shapes
        .graph
        .subjects_for_predicate_object(sh::TARGET_CLASS, class);
    for node_shape in node_shapes {
        for shape in shapes.objects(node_shape.into(), sh::PROPERTY) {
            if is_deactivated(shapes, shape) {
                continue;
            }
            if let Some(TermRef::NamedNode(path)) = shapes.object(shape, sh::PATH) {
                by_path.entry(path.into_owned()).or_default().push(shape);
            }
        }
    }
    for list in by_path.values_mut() {
        // Graph order depends on parsing; sort so that labels and help are stable.
        list.sort_by_key(|shape| shape.to_string());
    }
    by_path
}

fn is_deactivated<'a>(shapes: ShapesGraph<'a>, shape: TermRef<'a>) -> bool {
    matches!(shapes.object(shape, sh::DEACTIVATED), Some(TermRef::Literal(l)) if l.value() == "true")
}

/// The `dcterms:type` for a publisher agent: `LocalAuthority` (katalog serves municipalities)
/// when the agent shapes allow it, else the first allowed value.
fn default_publisher_type(shapes: ShapesGraph<'_>) -> NamedNode {
    let local = iri::LOCAL_AUTHORITY.into_owned();
    let by_path = property_shapes(shapes, foaf::AGENT);
    let Some(list) = by_path.get(&dcterms::TYPE.into_owned()) else {
        return local;
    };
    let allowed: Vec<NamedNode> = Facts::read(shapes, list)
        .choices
        .into_iter()
        .filter_map(|t| match t {
            TermRef::NamedNode(n) => Some(n.into_owned()),
            _ => None,
        })
        .collect();
    match allowed.first() {
        Some(first) if !allowed.contains(&local) => first.clone(),
        _ => local,
    }
}

/// What the property shapes of one path say, merged.
#[derive(Default)]
struct Facts<'a> {
    required: bool,
    recommended: bool,
    single: bool,
    datatypes: Vec<NamedNodeRef<'a>>,
    choices: Vec<TermRef<'a>>,
    iri: bool,
    literal: bool,
    structure: bool,
    mailto: bool,
    order: Option<f64>,
    names: [Option<String>; 2],
    /// The best help so far: (rank, texts); lower rank is more useful to a publisher.
    help: Option<(u8, [String; 2])>,
}

impl<'a> Facts<'a> {
    fn read(shapes: ShapesGraph<'a>, list: &[TermRef<'a>]) -> Self {
        let mut facts = Facts::default();
        for shape in list {
            facts.add(shapes, *shape);
        }
        // Texts last: how useful a help text is depends on all the facts (mailto).
        for shape in list {
            let rank = help_rank(shapes, *shape, facts.mailto);
            facts.add_texts(shapes, *shape, rank);
        }
        facts
    }

    fn add(&mut self, g: ShapesGraph<'a>, shape: TermRef<'a>) {
        let min = g
            .object(shape, sh::MIN_COUNT)
            .and_then(as_number)
            .unwrap_or(0.0);
        let severity = g.object(shape, sh::SEVERITY);
        let warning = severity == Some(sh::WARNING.into());
        let violation = !warning && is_violation(severity);
        self.required |= min >= 1.0 && violation;
        self.recommended |= min >= 1.0 && warning;
        self.single |= g.object(shape, sh::MAX_COUNT).and_then(as_number) == Some(1.0);
        if let Some(order) = g.object(shape, sh::ORDER).and_then(as_number) {
            self.order = Some(self.order.map_or(order, |o| o.min(order)));
        }
        self.add_node_kind(g.object(shape, sh::NODE_KIND));
        self.structure |= g.has(shape, sh::NODE);
        for node in constraint_nodes(g, shape) {
            self.add_values(g, node);
        }
    }

    fn add_node_kind(&mut self, kind: Option<TermRef<'a>>) {
        match kind {
            Some(k) if k == sh::IRI.into() => self.iri = true,
            Some(k) if k == sh::LITERAL.into() => self.literal = true,
            Some(k) if k == sh::BLANK_NODE.into() || k == sh::BLANK_NODE_OR_IRI.into() => {
                self.structure = true
            }
            _ => {}
        }
    }

    /// Datatypes, `sh:in` values and `mailto:` patterns of a shape or an `sh:or` member.
    fn add_values(&mut self, g: ShapesGraph<'a>, node: TermRef<'a>) {
        for datatype in g.objects(node, sh::DATATYPE) {
            if let TermRef::NamedNode(d) = datatype {
                self.datatypes.push(d);
            }
        }
        if self.choices.is_empty()
            && let Some(head) = g.object(node, sh::IN)
        {
            self.choices = members(g, head);
        }
        if let Some(TermRef::Literal(pattern)) = g.object(node, sh::PATTERN) {
            self.mailto |= pattern.value().starts_with("^mailto:");
        }
    }

    fn add_texts(&mut self, g: ShapesGraph<'a>, shape: TermRef<'a>, rank: u8) {
        for (i, lang) in LANGS.iter().enumerate() {
            if self.names[i].is_none() {
                self.names[i] = text_in(g.objects(shape, sh::NAME), lang);
            }
        }
        let help =
            LANGS.map(|lang| text_in(g.objects(shape, sh::DESCRIPTION), lang).unwrap_or_default());
        let better = self.help.as_ref().is_none_or(|(best, _)| rank < *best);
        if better && help.iter().any(|h| !h.is_empty()) {
            self.help = Some((rank, help));
        }
    }

    /// The field, or None when the form cannot edit such values (structures, unknown kinds).
    fn into_field(self, vocab: &Graph, path: NamedNode, group: Group) -> Option<Field> {
        let kind = self.kind(vocab, &path)?;
        let multiple = !self.single;
        let list = multiple
            && match kind {
                // One e-mail address is enough for a contact point.
                FieldKind::Iri => !self.mailto,
                FieldKind::LangText { .. } => TEXT_LISTS.contains(&path.as_ref()),
                _ => false,
            };
        let datatype = self.text_datatype().filter(|_| kind == FieldKind::Text);
        let [name_sv, name_en] = self.names;
        let local = local_name(path.as_str()).to_owned();
        let [help_sv, help_en] = self.help.map(|(_, h)| h).unwrap_or_default();
        Some(Field {
            key: local.clone(),
            label_sv: capitalised(name_sv.clone().or(name_en.clone()).unwrap_or(local.clone())),
            label_en: capitalised(name_en.or(name_sv).unwrap_or(local)),
            help_sv,
            help_en,
            required: self.required,
            recommended: self.recommended && !self.required,
            multiple,
            list,
            mailto: self.mailto,
            datatype,
            kind,
            path,
            group,
        })
    }

    fn kind(&self, vocab: &Graph, path: &NamedNode) -> Option<FieldKind> {
        let has = |d: NamedNodeRef<'_>| self.datatypes.contains(&d);
        if has(rdf::LANG_STRING) {
            let multiline = MULTILINE.contains(&path.as_ref());
            return Some(FieldKind::LangText { multiline });
        }
        if self.structure {
            return None;
        }
        if !self.choices.is_empty() && self.choices.iter().all(TermRef::is_named_node) {
            return Some(FieldKind::Choice(choices(vocab, &self.choices)));
        }
        if has(xsd::DATE) || has(xsd::DATE_TIME) {
            return Some(FieldKind::Date);
        }
        let literal = self.literal || !self.datatypes.is_empty();
        if literal && is_format_property(vocab, path) {
            return Some(FieldKind::Suggest(media_types(vocab)));
        }
        if self.iri {
            return Some(FieldKind::Iri);
        }
        literal.then_some(FieldKind::Text)
    }

    /// The one non-string datatype of a text field, if any.
    fn text_datatype(&self) -> Option<NamedNode> {
        match self.datatypes.as_slice() {
            [d] if *d != xsd::STRING => Some(d.into_owned()),
            _ => None,
        }
    }
}

/// Labels start with a capital letter (the shapes' `sh:name` are lower case, for messages).
fn capitalised(text: String) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

fn is_violation(severity: Option<TermRef<'_>>) -> bool {
    severity.is_none_or(|s| s == sh::VIOLATION.into())
}

/// How useful a shape's `sh:description` is as help: what a valid value looks like
/// (pattern, datatype, vocabulary) beats "must be present" beats technical checks.
fn help_rank<'a>(g: ShapesGraph<'a>, shape: TermRef<'a>, mailto: bool) -> u8 {
    let constraints = constraint_nodes(g, shape);
    let any = |p| constraints.iter().any(|c| g.has(*c, p));
    let language_only = g.objects(shape, sh::DATATYPE) == [TermRef::from(rdf::LANG_STRING)];
    // The mailto: pattern talks about IRIs; the form asks for a plain address.
    if any(sh::PATTERN) && !mailto {
        0
    } else if any(sh::DATATYPE) && !language_only {
        1
    } else if any(sh::IN) {
        2
    } else if g.has(shape, sh::MIN_COUNT) {
        3
    } else {
        4
    }
}

/// The `sh:in` values with their vocabulary labels, in the list's order.
fn choices(vocab: &Graph, values: &[TermRef<'_>]) -> Vec<Choice> {
    values
        .iter()
        .filter_map(|v| match v {
            TermRef::NamedNode(n) => Some(choice(vocab, *n, n.as_str())),
            _ => None,
        })
        .collect()
}

fn choice(vocab: &Graph, concept: NamedNodeRef<'_>, value: &str) -> Choice {
    let values =
        |predicate: NamedNodeRef<'static>| vocab.objects_for_subject_predicate(concept, predicate);
    let label = |lang| text_in(values(iri::SKOS_PREF_LABEL), lang);
    let fallback = || {
        text_in(values(iri::RDFS_LABEL), "en")
            .or_else(|| first_literal(values(iri::SKOS_NOTATION)))
            .unwrap_or_else(|| value.to_owned())
    };
    let (sv, en) = (label("sv"), label("en"));
    Choice {
        iri: concept.as_str().to_owned(),
        value: value.to_owned(),
        label_sv: sv.clone().or(en.clone()).unwrap_or_else(fallback),
        label_en: en.or(sv).unwrap_or_else(fallback),
    }
}

/// Whether the vocabulary maps literal media types for this property (`kv:formatProperty`).
fn is_format_property(vocab: &Graph, path: &NamedNode) -> bool {
    vocab
        .subject_for_predicate_object(iri::KV_FORMAT_PROPERTY, path)
        .is_some()
}

/// The media types of the vocabulary (`kv:mediaType` literals), by Swedish label.
fn media_types(vocab: &Graph) -> Vec<Choice> {
    let mut choices: Vec<Choice> = vocab
        .triples_for_predicate(iri::KV_MEDIA_TYPE)
        .filter_map(|t| match (t.subject, t.object) {
            (NamedOrBlankNodeRef::NamedNode(concept), TermRef::Literal(value)) => {
                Some(choice(vocab, concept, value.value()))
            }
            _ => None,
        })
        .collect();
    choices.sort_by(|a, b| a.label_sv.cmp(&b.label_sv).then(a.value.cmp(&b.value)));
    choices
}

/// The shape and the members of its `sh:or` lists: where its value constraints are.
fn constraint_nodes<'a>(g: ShapesGraph<'a>, shape: TermRef<'a>) -> Vec<TermRef<'a>> {
    let alternatives = g
        .objects(shape, sh::OR)
        .into_iter()
        .flat_map(|head| members(g, head));
    std::iter::once(shape).chain(alternatives).collect()
}

/// The members of an RDF list; none when it is malformed (compiling the shapes refuses it).
fn members<'a>(g: ShapesGraph<'a>, head: TermRef<'a>) -> Vec<TermRef<'a>> {
    g.list(head).unwrap_or_default()
}

fn as_number(term: TermRef<'_>) -> Option<f64> {
    match term {
        TermRef::Literal(l) => l.value().trim().parse().ok(),
        _ => None,
    }
}

fn first_literal<'a>(values: impl IntoIterator<Item = TermRef<'a>>) -> Option<String> {
    values.into_iter().find_map(|o| match o {
        TermRef::Literal(l) => Some(l.value().to_owned()),
        _ => None,
    })
}

/// The first literal among `values` tagged `lang` (or a subtag of it).
fn text_in<'a>(values: impl IntoIterator<Item = TermRef<'a>>, lang: &str) -> Option<String> {
    values.into_iter().find_map(|o| match o {
        TermRef::Literal(l) if l.language().is_some_and(|t| lang_matches(t, lang)) => {
            Some(l.value().to_owned())
        }
        _ => None,
    })
}
