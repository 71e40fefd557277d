//! The dataset form's template rendered with the fields the shapes give: inputs, labels,
//! choices from the vocabularies, and errors under their fields, in both languages.
use crate::publish::form::{CONTACT_KEY, FormSpec, FormValues, form_values};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

const THEME_ENVI: &str = "http://publications.europa.eu/resource/authority/data-theme/ENVI";

fn spec() -> &'static FormSpec {
    static SPEC: OnceLock<FormSpec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let folder = |name: &str| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name);
        let shapes = crate::shacl::read_graph(&[folder("shapes")]).unwrap();
        let vocab = crate::shacl::read_graph(&[folder("vocab")]).unwrap();
        FormSpec::from_graphs(&shapes, &vocab)
    })
}

fn filled() -> FormValues {
    let pairs = [
        ("title@sv", "Badplatser"),
        ("title@en", "Bathing sites"),
        (
            "description@sv",
            "Kommunens badplatser med vattentemperatur.",
        ),
        ("keyword@sv", "bad"),
        ("keyword@sv", "strand"),
        ("theme", THEME_ENVI),
        ("issued", "2024-05-01"),
        (
            "distribution.accessURL",
            "https://www.exempelkommun.example/files/bad.csv",
        ),
        ("distribution.format", "text/csv"),
        ("contact.name", "Exempelkommun, öppna data"),
        ("contact.email", "oppnadata@exempelkommun.example"),
    ];
    form_values(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

/// minijinja's HTML escaping also escapes '/'.
fn escaped(text: &str) -> String {
    text.replace('/', "&#x2f;")
}

#[test]
fn template_renders_inputs_labels_and_errors() {
    let mut env = minijinja::Environment::new();
    env.add_template(
        "dataset_form_fields.html",
        include_str!("templates/dataset_form_fields.html"),
    )
    .unwrap();
    let mut values = filled();
    values.insert(
        "theme".into(),
        vec![THEME_ENVI.into(), "https://example.org/other".into()],
    );
    let errors = BTreeMap::from([
        ("title".to_owned(), vec!["Saknar <titel>".to_owned()]),
        (
            "distribution.format".to_owned(),
            vec!["Fel format".to_owned()],
        ),
        (CONTACT_KEY.to_owned(), vec!["Ingen kontakt".to_owned()]),
    ]);
    let render = |lang: &str| {
        let ctx = minijinja::context! { fields => &spec().fields, values => &values, errors => &errors, lang => lang };
        env.get_template("dataset_form_fields.html")
            .unwrap()
            .render(ctx)
            .unwrap()
    };
    let html = render("sv");
    for expected in [
        r#"<input type="text" id="field-title-sv" name="title@sv" lang="sv" value="Badplatser" aria-describedby="help-title error-title" aria-invalid="true" aria-required="true">"#,
        r#"<textarea id="field-description-sv" name="description@sv""#,
        r#"<abbr class="required" title="obligatorisk">*</abbr>"#,
        r#"<p class="field-error" id="error-title">Saknar &lt;titel&gt;</p>"#,
        r#"<select id="field-theme" name="theme" multiple"#,
        &format!(
            r#"<option value="{}" selected>Miljö</option>"#,
            escaped(THEME_ENVI)
        ),
        &format!(
            r#"<option value="{0}" selected>{0}</option>"#,
            escaped("https://example.org/other")
        ),
        r#"<input type="date" id="field-issued" name="issued" value="2024-05-01""#,
        r#"<input type="url" id="field-distribution-accessURL" name="distribution.accessURL""#,
        r#"list="field-distribution-format-options""#,
        r#"id="error-distribution-format""#,
        r#"<input type="email" id="field-contact-email" name="contact.email" value="oppnadata@exempelkommun.example""#,
        "bad\nstrand</textarea>",
        r#"<p class="field-error" id="error-contact">Ingen kontakt</p>"#,
    ] {
        assert!(html.contains(expected), "missing {expected} in\n{html}");
    }
    let english = render("en");
    let envi = format!(
        r#"<option value="{}" selected>Environment</option>"#,
        escaped(THEME_ENVI)
    );
    assert!(english.contains(&envi), "{english}");
    assert!(english.contains(r#"title="required">*</abbr>"#));
    let empty = env
        .get_template("dataset_form_fields.html")
        .unwrap()
        .render(minijinja::context! { fields => &spec().fields })
        .unwrap();
    assert!(
        empty.contains(
            r#"<input type="text" id="field-title-sv" name="title@sv" lang="sv" value="""#
        )
    );
}
