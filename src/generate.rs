//! Synthetic DCAT-AP-SE catalogues of any size, for benchmarks, tests and trying katalog at
//! scale. IRIs are relative, so the file loads under any base URI.
use std::fmt::Write;

const THEMES: [&str; 6] = ["ENVI", "TRAN", "SOCI", "EDUC", "GOVE", "HEAL"];
const ORGS: [(&str, &str); 4] = [
    ("2120009994", "Exempelkommun"),
    ("2321000016", "Exempelregionen"),
    ("2021005489", "Exempelmyndigheten"),
    ("2120001355", "Grannkommunen"),
];

/// A catalogue with `datasets` datasets, each with two distributions, spread over four
/// publishers.
pub fn catalogue_turtle(datasets: usize) -> String {
    catalogue_turtle_of(datasets, ORGS.len(), "")
}

/// One organisation's catalogue (`http://dataportal.se/organisation/SE2120009994`), as a
/// source it connects would serve it. A non-empty `edition` is added to the titles of every
/// 100th dataset and leaves out another 1 %: one edition differs from the first in 1 % of
/// its datasets and lacks another 1 %.
pub fn organisation_turtle(datasets: usize, edition: &str) -> String {
    catalogue_turtle_of(datasets, 1, edition)
}

fn catalogue_turtle_of(datasets: usize, publishers: usize, edition: &str) -> String {
    let mut out = String::with_capacity(datasets * 2500);
    out.push_str(PREFIXES);
    out.push_str(
        "<catalog> a dcat:Catalog ;\n  dcterms:title \"Genererad katalog\"@sv, \"Generated catalogue\"@en ;\n  \
         dcterms:description \"En genererad katalog för prov.\"@sv, \"A generated catalogue for testing.\"@en ;\n  \
         dcterms:publisher <http://dataportal.se/organisation/SE2120009994> ;\n  \
         dcterms:license <http://creativecommons.org/publicdomain/zero/1.0/>",
    );
    let included = |i: &usize| edition.is_empty() || i % 100 != 50;
    for i in (0..datasets).filter(included) {
        let _ = write!(out, " ;\n  dcat:dataset <datasets/d{i}>");
    }
    out.push_str(" .\n\n");
    out.push_str(&agent(ORGS[0]));
    for i in (0..datasets).filter(included) {
        let title = if i % 100 == 0 { edition } else { "" };
        dataset(&mut out, i, ORGS[i % publishers], title);
    }
    out
}

const PREFIXES: &str = "@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

";

fn agent((orgnr, name): (&str, &str)) -> String {
    format!(
        "<http://dataportal.se/organisation/SE{orgnr}> a foaf:Agent ;\n  foaf:name \"{name}\"@sv ;\n  \
         dcterms:type <http://purl.org/adms/publishertype/LocalAuthority> .\n\n"
    )
}

fn dataset(out: &mut String, i: usize, org: (&str, &str), edition: &str) {
    let theme = THEMES[i % THEMES.len()];
    let day = 1 + i % 28;
    let _ = write!(
        out,
        "<datasets/d{i}> a dcat:Dataset ;
  dcterms:title \"Datamängd {i}{edition}\"@sv, \"Dataset {i}{edition}\"@en ;
  dcterms:description \"Mätvärden nummer {i} från {name}.\"@sv, \"Measurements number {i} from {name}.\"@en ;
  dcterms:publisher <http://dataportal.se/organisation/SE{orgnr}> ;
  dcat:contactPoint <datasets/d{i}#contact> ;
  dcat:theme <http://publications.europa.eu/resource/authority/data-theme/{theme}> ;
  dcat:keyword \"mätning\"@sv, \"measurement\"@en, \"nummer {i}\"@sv ;
  dcterms:issued \"2024-01-{day:02}\"^^xsd:date ;
  dcterms:modified \"2025-06-{day:02}\"^^xsd:date ;
  dcat:distribution <datasets/d{i}/distributions/csv>, <datasets/d{i}/distributions/json> .
<datasets/d{i}#contact> a vcard:Organization ;
  vcard:fn \"Kundtjänst\"@sv ;
  vcard:hasEmail <mailto:data{i}@example.se> .
<datasets/d{i}/distributions/csv> a dcat:Distribution ;
  dcterms:title \"CSV\"@sv ;
  dcat:accessURL <files/d{i}.csv> ;
  dcat:downloadURL <files/d{i}.csv> ;
  dcterms:format \"text/csv\" ;
  dcterms:license <http://creativecommons.org/publicdomain/zero/1.0/> .
<datasets/d{i}/distributions/json> a dcat:Distribution ;
  dcterms:title \"JSON\"@sv ;
  dcat:accessURL <files/d{i}.json> ;
  dcterms:format \"application/json\" ;
  dcterms:license <http://creativecommons.org/publicdomain/zero/1.0/> .
",
        orgnr = org.0,
        name = org.1,
    );
    out.push_str(&agent(org));
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_and_splits() {
        let ttl = super::catalogue_turtle(5);
        let triples = crate::rdf::parse_graph(
            ttl.as_bytes(),
            oxigraph::io::RdfFormat::Turtle,
            Some("http://x.se/"),
        )
        .unwrap();
        let split = crate::store::split_records(triples, "http://x.se/");
        assert_eq!(split.records.len(), 6);
        assert_eq!(split.unattached, 0);
    }
}
