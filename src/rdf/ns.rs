//! IRIs of the vocabularies katalog reads and writes.
use oxigraph::model::NamedNodeRef;

macro_rules! iris {
    ($($name:ident = $iri:literal;)*) => {
        $(pub const $name: NamedNodeRef<'static> = NamedNodeRef::new_unchecked($iri);)*
    };
}

pub mod rdf {
    use super::*;
    iris! { TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"; }
}

pub mod dcat {
    use super::*;
    iris! {
        CATALOG = "http://www.w3.org/ns/dcat#Catalog";
        DATASET = "http://www.w3.org/ns/dcat#Dataset";
        DATA_SERVICE = "http://www.w3.org/ns/dcat#DataService";
        DATASET_SERIES = "http://www.w3.org/ns/dcat#DatasetSeries";
        DISTRIBUTION = "http://www.w3.org/ns/dcat#Distribution";
        CATALOG_RECORD = "http://www.w3.org/ns/dcat#CatalogRecord";
        DATASET_LINK = "http://www.w3.org/ns/dcat#dataset";
        SERVICE_LINK = "http://www.w3.org/ns/dcat#service";
        RECORD_LINK = "http://www.w3.org/ns/dcat#record";
        DISTRIBUTION_LINK = "http://www.w3.org/ns/dcat#distribution";
        ACCESS_URL = "http://www.w3.org/ns/dcat#accessURL";
        DOWNLOAD_URL = "http://www.w3.org/ns/dcat#downloadURL";
        THEME = "http://www.w3.org/ns/dcat#theme";
        KEYWORD = "http://www.w3.org/ns/dcat#keyword";
        CONTACT_POINT = "http://www.w3.org/ns/dcat#contactPoint";
        MEDIA_TYPE = "http://www.w3.org/ns/dcat#mediaType";
        LANDING_PAGE = "http://www.w3.org/ns/dcat#landingPage";
        BYTE_SIZE = "http://www.w3.org/ns/dcat#byteSize";
        SERVES_DATASET = "http://www.w3.org/ns/dcat#servesDataset";
        ENDPOINT_URL = "http://www.w3.org/ns/dcat#endpointURL";
        ENDPOINT_DESCRIPTION = "http://www.w3.org/ns/dcat#endpointDescription";
        START_DATE = "http://www.w3.org/ns/dcat#startDate";
        END_DATE = "http://www.w3.org/ns/dcat#endDate";
    }
}

pub mod dcterms {
    use super::*;
    iris! {
        TITLE = "http://purl.org/dc/terms/title";
        DESCRIPTION = "http://purl.org/dc/terms/description";
        PUBLISHER = "http://purl.org/dc/terms/publisher";
        LICENSE = "http://purl.org/dc/terms/license";
        MODIFIED = "http://purl.org/dc/terms/modified";
        ISSUED = "http://purl.org/dc/terms/issued";
        IDENTIFIER = "http://purl.org/dc/terms/identifier";
        FORMAT = "http://purl.org/dc/terms/format";
        HAS_PART = "http://purl.org/dc/terms/hasPart";
        LANGUAGE = "http://purl.org/dc/terms/language";
        TYPE = "http://purl.org/dc/terms/type";
        SPATIAL = "http://purl.org/dc/terms/spatial";
        TEMPORAL = "http://purl.org/dc/terms/temporal";
        ACCESS_RIGHTS = "http://purl.org/dc/terms/accessRights";
        ACCRUAL_PERIODICITY = "http://purl.org/dc/terms/accrualPeriodicity";
        CONFORMS_TO = "http://purl.org/dc/terms/conformsTo";
    }
}

/// vCard, for contact points.
pub mod vcard {
    use super::*;
    iris! {
        FN = "http://www.w3.org/2006/vcard/ns#fn";
        HAS_EMAIL = "http://www.w3.org/2006/vcard/ns#hasEmail";
        HAS_TELEPHONE = "http://www.w3.org/2006/vcard/ns#hasTelephone";
        HAS_URL = "http://www.w3.org/2006/vcard/ns#hasURL";
    }
}

/// SKOS, for the labels of the controlled vocabularies.
pub mod skos {
    use super::*;
    iris! {
        PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel";
        NOTATION = "http://www.w3.org/2004/02/skos/core#notation";
    }
}

pub mod foaf {
    use super::*;
    iris! {
        AGENT = "http://xmlns.com/foaf/0.1/Agent";
        NAME = "http://xmlns.com/foaf/0.1/name";
        HOMEPAGE = "http://xmlns.com/foaf/0.1/homepage";
    }
}

pub mod hydra {
    use super::*;
    iris! {
        PARTIAL_COLLECTION_VIEW = "http://www.w3.org/ns/hydra/core#PartialCollectionView";
        VIEW = "http://www.w3.org/ns/hydra/core#view";
        TOTAL_ITEMS = "http://www.w3.org/ns/hydra/core#totalItems";
        FIRST = "http://www.w3.org/ns/hydra/core#first";
        LAST = "http://www.w3.org/ns/hydra/core#last";
        NEXT = "http://www.w3.org/ns/hydra/core#next";
        PREVIOUS = "http://www.w3.org/ns/hydra/core#previous";
        NS = "http://www.w3.org/ns/hydra/core#";
    }
}

/// katalog's own bookkeeping terms, as an older katalog kept them in the store's default
/// graph: read once, when such a store is moved to the ledger (`store::legacy`).
pub mod kat {
    use super::*;
    iris! {
        KIND = "https://w3id.org/katalog/internal#kind";
        MODIFIED = "https://w3id.org/katalog/internal#modified";
        HASH = "https://w3id.org/katalog/internal#hash";
        DELETED = "https://w3id.org/katalog/internal#deleted";
        LAST_CHANGE = "https://w3id.org/katalog/internal#lastChange";
        EVENT_SEQ = "https://w3id.org/katalog/internal#eventSeq";
        BASE_URI = "https://w3id.org/katalog/internal#baseUri";
        PUBLISHER = "https://w3id.org/katalog/internal#publisher";
        WARNINGS = "https://w3id.org/katalog/internal#warnings";
        INVALID = "https://w3id.org/katalog/internal#invalid";
        CHECKED_WITH = "https://w3id.org/katalog/internal#checkedWith";
        SOURCE = "https://w3id.org/katalog/internal#source";
        SOURCES_COMPLETE = "https://w3id.org/katalog/internal#sourcesComplete";
        FAILS_ACTIVE = "https://w3id.org/katalog/internal#failsActive";
        ACTIVITY = "https://w3id.org/katalog/internal#activity";
        OBJECT = "https://w3id.org/katalog/internal#object";
        PUBLISHED = "https://w3id.org/katalog/internal#published";
        STATE = "https://w3id.org/katalog/internal#state";
        SITE = "urn:katalog:site";
    }
}

pub mod xsd {
    use super::*;
    iris! {
        DATE_TIME = "http://www.w3.org/2001/XMLSchema#dateTime";
        INTEGER = "http://www.w3.org/2001/XMLSchema#integer";
    }
}

/// Linked Data Event Streams (https://w3id.org/ldes/specification).
pub mod ldes {
    use super::*;
    iris! {
        EVENT_STREAM = "https://w3id.org/ldes#EventStream";
        TIMESTAMP_PATH = "https://w3id.org/ldes#timestampPath";
        VERSION_OF_PATH = "https://w3id.org/ldes#versionOfPath";
        SEQUENCE_PATH = "https://w3id.org/ldes#sequencePath";
        RETENTION_POLICY = "https://w3id.org/ldes#retentionPolicy";
        DURATION_AGO_POLICY = "https://w3id.org/ldes#DurationAgoPolicy";
    }
}

/// The TREE hypermedia specification (https://w3id.org/tree/specification).
pub mod tree {
    use super::*;
    iris! {
        MEMBER = "https://w3id.org/tree#member";
        VIEW = "https://w3id.org/tree#view";
        RELATION = "https://w3id.org/tree#relation";
        NODE = "https://w3id.org/tree#node";
        VALUE = "https://w3id.org/tree#value";
    }
}

/// Activity Streams 2.0, as LDES DCAT-AP feeds use it for their events.
pub mod activity {
    use super::*;
    iris! {
        CREATE = "https://www.w3.org/ns/activitystreams#Create";
        UPDATE = "https://www.w3.org/ns/activitystreams#Update";
        DELETE = "https://www.w3.org/ns/activitystreams#Delete";
        REMOVE = "https://www.w3.org/ns/activitystreams#Remove";
        OBJECT = "https://www.w3.org/ns/activitystreams#object";
        PUBLISHED = "https://www.w3.org/ns/activitystreams#published";
    }
    pub const NS: &str = "https://www.w3.org/ns/activitystreams#";
}
