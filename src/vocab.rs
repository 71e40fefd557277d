//! The controlled vocabularies katalog ships (`vocab/`, SKOS): the Swedish and English label
//! of each concept, by its IRI, and of each media type by its notation (the literal
//! `dcterms:format` value), so that pages and search show a theme, a frequency or a licence
//! by name instead of by IRI.
use crate::rdf::ns::skos;
use oxigraph::model::{Graph, NamedOrBlankNodeRef, TermRef};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("the vocabularies in {dir}: {message}")]
pub struct VocabError {
    dir: PathBuf,
    message: String,
}

/// A concept's labels.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Label {
    pub sv: Option<String>,
    pub en: Option<String>,
}

impl Label {
    /// The label in `lang` (`sv` or `en`), else in the other one.
    pub fn in_lang(&self, lang: &str) -> Option<&str> {
        let (first, second) = match lang {
            "en" => (&self.en, &self.sv),
            _ => (&self.sv, &self.en),
        };
        first.as_deref().or(second.as_deref())
    }
}

#[derive(Clone, Debug, Default)]
pub struct Labels {
    by_iri: HashMap<String, Label>,
    by_notation: HashMap<String, Label>,
}

impl Labels {
    /// Reads every Turtle file of the folder.
    pub fn load(dir: &Path) -> Result<Self, VocabError> {
        let graph = crate::shacl::read_graph(&[dir.to_owned()]).map_err(|e| VocabError {
            dir: dir.to_owned(),
            message: e.to_string(),
        })?;
        Ok(Self::from_graph(&graph))
    }

    pub fn from_graph(graph: &Graph) -> Self {
        let mut labels = Self::default();
        for triple in graph.triples_for_predicate(skos::PREF_LABEL) {
            let (NamedOrBlankNodeRef::NamedNode(concept), TermRef::Literal(text)) =
                (triple.subject, triple.object)
            else {
                continue;
            };
            let label = labels
                .by_iri
                .entry(concept.as_str().to_owned())
                .or_default();
            let slot = match text.language() {
                Some(l) if l.starts_with("en") => &mut label.en,
                Some(l) if l.starts_with("sv") => &mut label.sv,
                _ => continue,
            };
            slot.get_or_insert_with(|| text.value().to_owned());
        }
        for triple in graph.triples_for_predicate(skos::NOTATION) {
            let (NamedOrBlankNodeRef::NamedNode(concept), TermRef::Literal(notation)) =
                (triple.subject, triple.object)
            else {
                continue;
            };
            if let Some(label) = labels.by_iri.get(concept.as_str()) {
                let label = label.clone();
                labels
                    .by_notation
                    .insert(notation.value().to_ascii_lowercase(), label);
            }
        }
        labels
    }

    /// The label of the concept `iri` in `lang`.
    pub fn of(&self, iri: &str, lang: &str) -> Option<&str> {
        self.by_iri.get(iri)?.in_lang(lang)
    }

    /// The label of the concept whose notation is `notation` (a media type such as
    /// `text/csv`), in `lang`.
    pub fn of_notation(&self, notation: &str, lang: &str) -> Option<&str> {
        self.by_notation
            .get(&notation.trim().to_ascii_lowercase())?
            .in_lang(lang)
    }

    pub fn len(&self) -> usize {
        self.by_iri.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_iri.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_vocabularies_name_themes_frequencies_and_media_types_in_both_languages() {
        let labels = Labels::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("vocab")).unwrap();
        let annual = "http://publications.europa.eu/resource/authority/frequency/ANNUAL";
        assert_eq!(labels.of(annual, "sv"), Some("årligen"));
        assert_eq!(labels.of(annual, "en"), Some("annual"));
        let theme = "http://publications.europa.eu/resource/authority/data-theme/ENVI";
        assert_eq!(labels.of(theme, "sv"), Some("Miljö"));
        assert_eq!(labels.of_notation("Text/CSV", "en"), Some("CSV (.csv)"));
        assert_eq!(labels.of("http://example.org/unknown", "sv"), None);
    }
}
