//! A validation report → messages per field.

use super::{CONTACT_KEY, DISTRIBUTION_KEY, FormSpec, Group, lang_matches};
use crate::rdf::ns::dcat;
use crate::shacl::{Severity, ValidationReport, ValidationResult};
use oxigraph::model::NamedNode;
use std::collections::BTreeMap;

impl FormSpec {
    /// Violations by field key, with messages in `lang` ("sv" or "en"). Results on the root,
    /// `<root#distribution>` and `<root#contact>` go to the field of their path (a
    /// language-tagged field's base key, e.g. `title`); other results about the distribution
    /// or contact node go to [`DISTRIBUTION_KEY`] / [`CONTACT_KEY`], as do the dataset's
    /// missing links to them; everything else (e.g. the publisher) goes under "".
    pub fn errors(
        &self,
        report: &ValidationReport,
        root: &NamedNode,
        lang: &str,
    ) -> BTreeMap<String, Vec<String>> {
        self.messages(report, root, lang, |s| {
            matches!(s, Severity::Violation | Severity::Other(_))
        })
    }

    /// Warnings and infos (missing recommended values, values outside a vocabulary), keyed
    /// as [`FormSpec::errors`].
    pub fn warnings(
        &self,
        report: &ValidationReport,
        root: &NamedNode,
        lang: &str,
    ) -> BTreeMap<String, Vec<String>> {
        self.messages(report, root, lang, |s| {
            matches!(s, Severity::Warning | Severity::Info)
        })
    }

    fn messages(
        &self,
        report: &ValidationReport,
        root: &NamedNode,
        lang: &str,
        keep: impl Fn(&Severity) -> bool,
    ) -> BTreeMap<String, Vec<String>> {
        let mut messages: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for result in report.results.iter().filter(|r| keep(&r.severity)) {
            let list = messages.entry(self.result_key(result, root)).or_default();
            let message = message_in(result, lang);
            if !list.contains(&message) {
                list.push(message);
            }
        }
        messages
    }

    fn result_key(&self, result: &ValidationResult, root: &NamedNode) -> String {
        let group = [Group::Dataset, Group::Distribution, Group::Contact]
            .into_iter()
            .find(|g| result.focus_node == g.node(root).into());
        let Some(group) = group else {
            return String::new();
        };
        let predicate = result.path.as_ref().and_then(|p| p.as_predicate());
        let Some(predicate) = predicate else {
            return group.key().to_owned();
        };
        if let Some(field) = self
            .fields
            .iter()
            .find(|f| f.group == group && &f.path == predicate)
        {
            return field.key.clone();
        }
        match group {
            Group::Dataset if *predicate == dcat::DISTRIBUTION_LINK => DISTRIBUTION_KEY.to_owned(),
            Group::Dataset if *predicate == dcat::CONTACT_POINT => CONTACT_KEY.to_owned(),
            _ => group.key().to_owned(),
        }
    }
}

/// The result's message in `lang`, else English, else any; a generated text when none.
fn message_in(result: &ValidationResult, lang: &str) -> String {
    let tagged = |wanted: &str| {
        result
            .messages
            .iter()
            .find(|m| m.language().is_some_and(|t| lang_matches(t, wanted)))
    };
    tagged(lang)
        .or_else(|| tagged("en"))
        .or_else(|| result.messages.first())
        .map(|m| m.value().to_owned())
        .unwrap_or_else(|| {
            format!(
                "{} ({})",
                result.component.as_str(),
                result.severity.label()
            )
        })
}
