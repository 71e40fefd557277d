//! Where a hosted table's rows are: a GeoJSON file's geometry column, or a pair of
//! coordinate columns, in WGS 84 (latitude/longitude) or in SWEREF 99 TM (EPSG:3006, the
//! national grid Swedish bodies publish in), which is turned into WGS 84 for GeoJSON and maps.
use super::table::{Column, GEOMETRY, Kind};
use proj4rs::proj::Proj;
use serde_json::{Value as Json, json};
use std::sync::LazyLock;

/// The columns that place a table's rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A GeoJSON geometry, as text, in this column.
    GeoJson(usize),
    /// Two coordinate columns: north (latitude, or SWEREF 99 TM northing) and east.
    Coordinates { north: usize, east: usize },
}

const NORTH: [&str; 11] = [
    "lat",
    "latitude",
    "latitud",
    "wgs84_lat",
    "n",
    "northing",
    "nord",
    "nordkoordinat",
    "sweref99tm_n",
    "sweref_n",
    "y",
];
const EAST: [&str; 13] = [
    "lon",
    "lng",
    "long",
    "longitude",
    "longitud",
    "wgs84_lon",
    "e",
    "easting",
    "ost",
    "öst",
    "ostkoordinat",
    "sweref99tm_e",
    "x",
];

/// The columns that place the rows, if any: a geometry column, else the first number
/// columns named as a northing or latitude and an easting or longitude.
pub fn place(columns: &[Column]) -> Option<Place> {
    if let Some(i) = columns.iter().position(|c| c.name == GEOMETRY) {
        return Some(Place::GeoJson(i));
    }
    let named = |names: &[&str]| {
        names.iter().find_map(|n| {
            columns
                .iter()
                .position(|c| c.kind != Kind::Text && c.name.to_lowercase() == *n)
        })
    };
    Some(Place::Coordinates {
        north: named(&NORTH)?,
        east: named(&EAST)?,
    })
}

/// A row's geometry as GeoJSON (WGS 84), or null when it has none.
pub fn geometry(place: Place, values: &[Json]) -> Json {
    match place {
        Place::GeoJson(i) => values[i]
            .as_str()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or(Json::Null),
        Place::Coordinates { north, east } => {
            let point = values[north]
                .as_f64()
                .zip(values[east].as_f64())
                .and_then(|(n, e)| wgs84(n, e));
            match point {
                Some((lon, lat)) => json!({"type": "Point", "coordinates": [lon, lat]}),
                None => Json::Null,
            }
        }
    }
}

/// SWEREF 99 TM: UTM zone 33 on GRS 80, which is WGS 84 to within a metre.
static SWEREF_99_TM: LazyLock<Proj> = LazyLock::new(|| {
    Proj::from_proj_string(
        "+proj=utm +zone=33 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
    )
    .expect("the SWEREF 99 TM definition")
});
static WGS_84: LazyLock<Proj> = LazyLock::new(|| {
    Proj::from_proj_string("+proj=longlat +ellps=WGS84 +datum=WGS84 +no_defs")
        .expect("the WGS 84 definition")
});

/// (longitude, latitude) of a point given as latitude and longitude, or as a SWEREF 99 TM
/// northing and easting (told apart by their size); None for anything else.
fn wgs84(north: f64, east: f64) -> Option<(f64, f64)> {
    if (-90.0..=90.0).contains(&north) && (-180.0..=180.0).contains(&east) {
        return Some((east, north));
    }
    let sweden =
        (6_100_000.0..=7_700_000.0).contains(&north) && (200_000.0..=1_000_000.0).contains(&east);
    if !sweden {
        return None;
    }
    let mut point = (east, north, 0.0);
    proj4rs::transform::transform(&SWEREF_99_TM, &WGS_84, &mut point).ok()?;
    let round = |degrees: f64| (degrees * 1e7).round() / 1e7;
    Some((round(point.0.to_degrees()), round(point.1.to_degrees())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweref_99_tm_becomes_wgs_84() {
        // On the zone's central meridian (15° E, easting 500 000 m), the northing is the
        // meridian arc (6 654 190 m to 60° N on GRS 80) times the scale 0.9996.
        let (lon, lat) = wgs84(6_651_528.0, 500_000.0).unwrap();
        assert!((lon - 15.0).abs() < 1e-6, "{lon}");
        assert!((lat - 60.0).abs() < 0.01, "{lat}");
        // Further east, near Stockholm.
        let (lon, lat) = wgs84(6_580_000.0, 674_000.0).unwrap();
        assert!(
            (18.0..18.2).contains(&lon) && (59.2..59.4).contains(&lat),
            "{lon} {lat}"
        );
        assert_eq!(wgs84(59.19, 15.01), Some((15.01, 59.19)));
        assert_eq!(wgs84(12_000.0, 3.0), None);
    }

    #[test]
    fn coordinate_columns_are_found_by_name_and_type() {
        let column = |name: &str, kind| Column {
            name: name.into(),
            kind,
            title: None,
            description: None,
        };
        let columns = [
            column("namn", Kind::Text),
            column("Latitud", Kind::Real),
            column("longitud", Kind::Real),
        ];
        assert_eq!(
            place(&columns),
            Some(Place::Coordinates { north: 1, east: 2 })
        );
        assert_eq!(place(&columns[..2]), None);
    }
}
