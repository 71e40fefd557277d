//! `/ldes`: katalog's own changes as a Linked Data Event Stream in the LDES DCAT-AP feed
//! form (https://semiceu.github.io/LDES-DCAT-AP-feeds/): `as:Create`/`as:Update`/`as:Delete`
//! members ordered by `as:published`, each member's state in the named graph of its event.
use crate::rdf::{PREFIXES, negotiate, parse_graph};
use crate::store::{Activity, Event};
use crate::web::respond::accept_header;
use crate::web::{AppError, Conditional, SharedState};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{BlankNode, GraphName, Literal, NamedNode, Quad, Term};
use serde::Deserialize;

const PAGE_SIZE: usize = 100;
const LDES: &str = "https://w3id.org/ldes#";
const TREE: &str = "https://w3id.org/tree#";
const AS: &str = "https://www.w3.org/ns/activitystreams#";
const XSD_DATE_TIME: &str = "http://www.w3.org/2001/XMLSchema#dateTime";

fn n(ns: &str, local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{ns}{local}"))
}

#[derive(Deserialize)]
pub struct LdesParams {
    page: Option<usize>,
}

/// Changes as an LDES event stream
///
/// Every create, update and delete as `as:Create`/`as:Update`/`as:Delete` members with
/// `as:published`, each member's state in its named graph, paged as `tree` nodes.
#[utoipa::path(get, path = "/ldes", tag = "feeds",
    params(("page" = Option<u32>, Query, description = "Page number, from 1")),
    responses(
        (status = 200, description = "One page of the event stream", content(("application/trig"), ("application/n-quads"))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A malformed page number", content_type = "text/plain"),
        (status = 404, description = "No such page", body = crate::api::ErrorBody),
        (status = 406, description = "No acceptable syntax", body = crate::api::ErrorBody),
    ))]
pub async fn feed(
    State(state): State<SharedState>,
    Query(params): Query<LdesParams>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let offers = [
        ("application/trig", RdfFormat::TriG),
        ("application/n-quads", RdfFormat::NQuads),
    ];
    let format = negotiate(accept_header(&headers), &offers)
        .ok_or_else(|| AppError::NotAcceptable(vec!["application/trig", "application/n-quads"]))?;
    let page = params.page.unwrap_or(1).max(1);
    let run = move || -> Result<Response, AppError> {
        // Events are numbered from 0 without gaps: page n holds events (n-1)·100 … n·100-1,
        // read from the change log alone.
        let count = state.catalogue.event_count()?;
        let last = count
            .checked_sub(1)
            .map(|s| s.to_string())
            .unwrap_or_default();
        let validators =
            Conditional::new(&[&last, format.file_extension(), &page.to_string()], None);
        if validators.is_fresh(&headers) {
            return Ok(validators.not_modified());
        }
        let pages = (count as usize).div_ceil(PAGE_SIZE).max(1);
        if page > pages {
            return Err(AppError::NotFound);
        }
        let chunk = state
            .catalogue
            .events_from(((page - 1) * PAGE_SIZE) as u64, PAGE_SIZE)?;
        let quads = page_quads(&state.config.base_uri, page, pages, &chunk)?;
        let body = serialize(&quads, format)?;
        let mut response = ([(header::CONTENT_TYPE, format.media_type())], body).into_response();
        validators.apply(response.headers_mut());
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Accept"));
        Ok(response)
    };
    tokio::task::spawn_blocking(run).await?
}

pub fn event_iri(base: &str, seq: u64) -> NamedNode {
    NamedNode::new_unchecked(format!("{base}ldes/events/{seq}"))
}

fn page_quads(
    base: &str,
    page: usize,
    pages: usize,
    events: &[Event],
) -> Result<Vec<Quad>, AppError> {
    let stream = NamedNode::new_unchecked(format!("{base}ldes#stream"));
    let view = NamedNode::new_unchecked(format!("{base}ldes?page={page}"));
    let g = GraphName::DefaultGraph;
    let rdf_type = crate::rdf::ns::rdf::TYPE;
    let mut quads = vec![
        Quad::new(stream.clone(), rdf_type, n(LDES, "EventStream"), g.clone()),
        Quad::new(
            stream.clone(),
            n(LDES, "timestampPath"),
            n(AS, "published"),
            g.clone(),
        ),
        Quad::new(
            stream.clone(),
            n(LDES, "versionOfPath"),
            n(AS, "object"),
            g.clone(),
        ),
        Quad::new(stream.clone(), n(TREE, "view"), view.clone(), g.clone()),
        Quad::new(view.clone(), rdf_type, n(TREE, "Node"), g.clone()),
    ];
    // katalog keeps every event; the policy says so in LDES terms (nothing ever pruned).
    let policy = BlankNode::new_unchecked("retention");
    quads.push(Quad::new(
        stream.clone(),
        n(LDES, "retentionPolicy"),
        policy.clone(),
        g.clone(),
    ));
    quads.push(Quad::new(
        policy.clone(),
        rdf_type,
        n(LDES, "DurationAgoPolicy"),
        g.clone(),
    ));
    quads.push(Quad::new(
        policy,
        n(TREE, "value"),
        Literal::new_typed_literal(
            "P100Y",
            NamedNode::new_unchecked("http://www.w3.org/2001/XMLSchema#duration"),
        ),
        g.clone(),
    ));
    if page < pages {
        let relation = BlankNode::new_unchecked("next");
        let boundary = events
            .last()
            .map(|e| e.published.clone())
            .unwrap_or_default();
        quads.push(Quad::new(
            view.clone(),
            n(TREE, "relation"),
            relation.clone(),
            g.clone(),
        ));
        quads.push(Quad::new(
            relation.clone(),
            rdf_type,
            n(TREE, "GreaterThanOrEqualToRelation"),
            g.clone(),
        ));
        quads.push(Quad::new(
            relation.clone(),
            n(TREE, "node"),
            NamedNode::new_unchecked(format!("{base}ldes?page={}", page + 1)),
            g.clone(),
        ));
        quads.push(Quad::new(
            relation.clone(),
            n(TREE, "path"),
            n(AS, "published"),
            g.clone(),
        ));
        quads.push(Quad::new(
            relation,
            n(TREE, "value"),
            Literal::new_typed_literal(boundary, NamedNode::new_unchecked(XSD_DATE_TIME)),
            g.clone(),
        ));
    }
    for event in events {
        let member = event_iri(base, event.seq);
        let activity = match event.activity {
            Activity::Create => "Create",
            Activity::Update => "Update",
            Activity::Delete => "Delete",
        };
        quads.push(Quad::new(
            stream.clone(),
            n(TREE, "member"),
            member.clone(),
            g.clone(),
        ));
        quads.push(Quad::new(
            member.clone(),
            rdf_type,
            n(AS, activity),
            g.clone(),
        ));
        quads.push(Quad::new(
            member.clone(),
            n(AS, "object"),
            event.object.clone(),
            g.clone(),
        ));
        let published = Literal::new_typed_literal(
            event.published.clone(),
            NamedNode::new_unchecked(XSD_DATE_TIME),
        );
        quads.push(Quad::new(
            member.clone(),
            n(AS, "published"),
            Term::from(published),
            g.clone(),
        ));
        let state = parse_graph(event.state.as_bytes(), RdfFormat::NTriples, None)?;
        let graph = GraphName::NamedNode(member.clone());
        quads.extend(state.into_iter().map(|t| t.in_graph(graph.clone())));
    }
    Ok(quads)
}

fn serialize(quads: &[Quad], format: RdfFormat) -> Result<Vec<u8>, AppError> {
    let mut serializer = RdfSerializer::from_format(format);
    if format == RdfFormat::TriG {
        for (prefix, iri) in PREFIXES {
            serializer = serializer.with_prefix(*prefix, *iri).expect("valid prefix");
        }
        for (prefix, iri) in [("ldes", LDES), ("tree", TREE), ("as", AS)] {
            serializer = serializer.with_prefix(prefix, iri).expect("valid prefix");
        }
    }
    let mut writer = serializer.for_writer(Vec::new());
    for quad in quads {
        writer
            .serialize_quad(quad)
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    writer
        .finish()
        .map_err(|e| AppError::Internal(e.to_string()))
}
