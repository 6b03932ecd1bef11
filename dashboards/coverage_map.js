// The coverage map: zones drawn from vector tiles, restyled from lists of numbers, with
// points, candidate sites and clicks.
//
// Names come from the workspace, that is from files a person imported: the map writes every
// text it receives (zone names, labels, tooltips of points and markers, their popups) into
// the page as text (textContent), never as markup. Only `legend_html` and the popups sent
// by `show_popup` are HTML: fragments built in Python, every text in them escaped there
// (territory.viz.labels.html_text).
import * as L from "leaflet";

const NO_VALUE = "#dcdcdc";
const FADED = "#f4f4f2";
const HIGHLIGHT = "#00838f";
const PANES = [["tmAreas", 410], ["tmRings", 420], ["tmActions", 430], ["tmSites", 440],
               ["tmNames", 450]];
const ACTIONS_ZOOM = 8;
const TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

// What colours zone `i` (its position in `model.codes`), and how its border is drawn.
function areaFill(model, state, i) {
  if (i === undefined) { return NO_VALUE; }
  if (state.faded[i] === 1) { return FADED; }
  const k = model.classes[i];
  const known = k !== undefined && k !== null && k >= 0 && k < model.palette.length;
  return known ? model.palette[k] : NO_VALUE;
}

// An element holding `text` as text.
function textNode(tag, text, className) {
  const node = document.createElement(tag);
  if (className) { node.className = className; }
  node.textContent = text === null || text === undefined ? "" : String(text);
  return node;
}

// A tooltip or popup body from lines of text: the first, when not empty, in bold (a name).
function linesNode(lines) {
  const box = document.createElement("div");
  const [title, ...rest] = lines || [];
  const parts = title ? [textNode("b", title)] : [];
  for (const line of rest) { parts.push(document.createTextNode(String(line))); }
  parts.forEach((part, i) => {
    if (i) { box.appendChild(document.createElement("br")); }
    box.appendChild(part);
  });
  return box;
}

// A marker's popup: its lines, a note, and a button that sends `action` back to Python.
function popupNode(popup) {
  const box = linesNode(popup.lines);
  if (popup.note) {
    box.appendChild(document.createElement("br"));
    box.appendChild(textNode("span", popup.note, "tm-muted"));
  }
  if (popup.button) {
    box.appendChild(document.createElement("br"));
    const button = textNode("button", popup.button.text, popup.button.className || "tm-action");
    button.type = "button";
    button.dataset.action = popup.button.action;
    if (popup.button.id) { button.dataset.id = popup.button.id; }
    box.appendChild(button);
  }
  return box;
}

// protomaps-leaflet is a classic script that extends the page's Leaflet (window.L): it is
// loaded once per page, after Leaflet.
let vectorTiles = null;
function loadVectorTiles(url) {
  if (!vectorTiles) {
    vectorTiles = new Promise((resolve, reject) => {
      if (window.protomapsL) { resolve(window.protomapsL); return; }
      if (!window.L) { window.L = L; }
      const script = document.createElement("script");
      script.src = url;
      script.onload = () => resolve(window.protomapsL);
      script.onerror = () => reject(new Error(`could not load ${url}`));
      document.head.appendChild(script);
    });
  }
  return vectorTiles;
}

// The zones and the outlines, drawn from the workspace's vector tiles (PMTiles) on canvas
// tiles. A feature carries its zone's code and name; what colours it comes from the lists
// of the model, by position (`state.index`: code → position in `model.codes`).
function areaRules(P, model, state) {
  const at = (f) => state.index.get(f.props.code);
  const rules = [{
    dataSource: "areas", dataLayer: model.area_layer,
    symbolizer: new P.PolygonSymbolizer({
      fill: (z, f) => areaFill(model, state, at(f)),
      opacity: (z, f) => (state.faded[at(f)] === 1 ? 0.7 : 0.88),
      stroke: (z, f) => (state.faded[at(f)] === 1 ? "#d6d6d6" : "#7d7d7d"),
      width: (z, f) => model.area_weight || 0.35,
    }),
  }];
  if (model.outline_layer && model.tiles[model.outline_layer]) {
    rules.push({
      dataSource: "outlines", dataLayer: model.outline_layer,
      symbolizer: new P.LineSymbolizer({
        color: "#1a1a1a",
        width: (z, f) => (f.props.code === model.selected_outline ? 3.2 : 1.1),
        opacity: (z, f) => (f.props.code === model.selected_outline ? 1 : 0.75),
      }),
    });
  }
  return rules;
}

// The zones ringed: the one under the pointer, and those the model highlights.
function ringRules(P, model, state) {
  const at = (f) => state.index.get(f.props.code);
  return [{
    dataSource: "areas", dataLayer: model.area_layer,
    filter: (z, f) => f.props.code === state.hover || state.highlight.has(at(f)),
    symbolizer: new P.LineSymbolizer({
      color: (z, f) => (f.props.code === state.hover ? "#1a1a1a" : HIGHLIGHT),
      width: (z, f) => (f.props.code === state.hover ? 2 : 2.5),
    }),
  }];
}

// Two layers over the same tiles: the zones (fills and outlines), and above them the rings.
// Hovering a zone or ringing the communes a new place covers repaints the rings only: a
// few lines instead of every polygon on screen (about 150 ms for the region's map).
function drawAreas(P, map, model, state) {
  const sources = {areas: {url: model.tiles[model.area_layer], maxDataZoom: model.max_zoom}};
  if (model.outline_layer && model.tiles[model.outline_layer]) {
    sources.outlines = {url: model.tiles[model.outline_layer], maxDataZoom: model.max_zoom};
  }
  const options = {labelRules: [], tileDelay: 1, maxZoom: 16};
  const layer = P.leafletLayer({...options, sources: sources, pane: "tmAreas",
                                paintRules: areaRules(P, model, state)});
  const rings = P.leafletLayer({...options, sources: {areas: sources.areas}, pane: "tmRings",
                                paintRules: ringRules(P, model, state)});
  rings.views = new Map([["areas", layer.views.get("areas")]]);  // one tile cache for both
  layer.addTo(map);
  rings.addTo(map);
  return {layer: layer, rings: rings};
}

// The feature of the zones under `latlng` in the tiles on screen, or null.
function pickArea(layer, model, latlng) {
  if (!layer) { return null; }
  const found = layer.queryTileFeaturesDebug(latlng.lng, latlng.lat, 0).get("areas") || [];
  const hit = found.find((p) => p.layerName === model.area_layer);
  return hit ? hit.feature : null;
}

// Hovering a zone rings it and shows its tooltip (one tooltip, moved along).
function hoverAreas(map, model, state, areas) {
  const tip = L.tooltip({sticky: true, className: "tm-tooltip", direction: "top",
                         offset: [0, -8]});
  let pending = null;
  let frame = 0;
  const show = () => {
    frame = 0;
    const f = pending ? pickArea(areas.layer, model, pending) : null;
    const code = f ? f.props.code : null;
    if (code !== state.hover) {
      state.hover = code;
      areas.rings?.rerenderTiles();  // already in a frame of its own
    }
    if (f) {
      tip.setLatLng(pending).setContent(areaTip(model, state, f));
      if (!map.hasLayer(tip)) { tip.addTo(map); }
    } else if (map.hasLayer(tip)) {
      tip.remove();
    }
  };
  map.on("mousemove", (e) => {
    // Over a marker, a dot with a tooltip of its own or a control: no zone's tooltip (tiles
    // take no pointer events: over the zones, the map itself is the target).
    pending = e.originalEvent?.target === map.getContainer() ? e.latlng : null;
    if (!frame) { frame = requestAnimationFrame(show); }
  });
  map.on("mouseout", () => {
    pending = null;
    if (!frame) { frame = requestAnimationFrame(show); }
  });
}

function ranksOf(positions) {
  const rank = new Map();
  (positions || []).forEach((i, k) => rank.set(i, k + 1));
  return rank;
}

function formatValue(value, decimals) {
  if (value === null || value === undefined || Number.isNaN(value)) { return "n. d."; }
  return Number(value).toLocaleString("fr-FR", {minimumFractionDigits: decimals,
                                                maximumFractionDigits: decimals});
}

// A zone's tooltip: its name, then what colours it and its rank in the selection.
function areaTip(model, state, f) {
  const box = document.createElement("div");
  box.appendChild(textNode("b", f.props.n));
  if (!model.value_label) { return box; }
  const i = state.index.get(f.props.code);
  box.appendChild(document.createElement("br"));
  box.appendChild(document.createTextNode(`${model.value_label} : `));
  box.appendChild(textNode("b", formatValue(model.values[i], model.value_decimals)));
  const rank = state.rank.get(i);
  if (rank) {
    box.appendChild(document.createTextNode(
      ` · rang ${formatValue(rank, 0)} / ${formatValue(model.rank_total, 0)}`));
  }
  return box;
}

function sendClick(model, latlng, id) {
  model.send_msg({type: "click", lat: latlng.lat, lon: latlng.lng, id: id, mode: model.click_mode});
}

// Repaint the zones' tiles (or the rings'), once per frame: a filter change brings its
// classes, faded zones and ranks as separate changes, which would each repaint every tile.
function restyle(areas, which = "layer") {
  const key = `${which}Frame`;
  if (areas[key]) { return; }
  areas[key] = requestAnimationFrame(() => {
    areas[key] = 0;
    areas[which]?.rerenderTiles();
  });
}

function pointRadius(map, base) {
  const zoom = map.getZoom();
  return zoom >= 10 ? base * 1.6 : (zoom >= 8.5 ? base * 1.25 : base);
}

function drawPoints(map, group, renderer, points, base, edge) {
  group.clearLayers();
  const n = (points.lat || []).length;
  const radius = pointRadius(map, base);
  const interactive = !(renderer instanceof L.Canvas);
  for (let i = 0; i < n; i++) {
    const dot = L.circleMarker([points.lat[i], points.lon[i]], {
      renderer: renderer, radius: radius, color: edge, weight: 0.6, fillColor: points.colour[i],
      fillOpacity: 0.95, interactive: interactive, className: interactive ? "tm-site" : "",
    });
    dot._tmTip = points.tip ? points.tip[i] : null;  // the outreach places have none
    dot.addTo(group);
  }
  group._tmBase = base;
}

function resizePoints(map, group) {
  const radius = pointRadius(map, group._tmBase || 3);
  group.eachLayer((dot) => dot.setRadius(radius));
}

function pointGroup(map) {
  // Tooltips are made on first hover: binding thousands of them up front slows the first draw.
  const group = L.featureGroup().addTo(map);
  group.on("mouseover", (e) => {
    const dot = e.layer;
    if (!dot._tmTip) { return; }
    if (!dot.getTooltip()) {
      dot.bindTooltip(linesNode(dot._tmTip), {className: "tm-tooltip", direction: "top"});
    }
    dot.openTooltip();
  });
  return group;
}

function drawMarkers(group, items, kind) {
  group.clearLayers();
  for (const item of items || []) {
    const icon = L.divIcon({className: `tm-${kind}`, html: textNode("span", item.label),
                            iconSize: [24, 24], iconAnchor: [12, 12]});
    const marker = L.marker([item.lat, item.lon], {icon: icon, draggable: kind === "candidate",
                                                   riseOnHover: true, keyboard: false});
    marker.bindTooltip(linesNode(item.tip),
                       {className: "tm-tooltip", direction: "top", offset: [0, -12]});
    if (item.popup) { marker.bindPopup(popupNode(item.popup), {maxWidth: 320, autoPan: false}); }
    marker.on("dragend", () => {
      const at = marker.getLatLng();
      group._tmModel.send_msg({type: "move", id: item.id, lat: at.lat, lon: at.lng});
    });
    marker.addTo(group);
  }
}

function drawNames(group, names) {
  group.clearLayers();
  for (const [lat, lon, text, code] of names || []) {
    L.tooltip({permanent: true, direction: "center", interactive: false, pane: "tmNames",
               className: "tm-name"}).setLatLng([lat, lon]).setContent(textNode("span", text))
      .addTo(group);
    group._codes = (group._codes || []).concat([code]);
  }
}

function declutter(group) {
  const placed = [];
  group.eachLayer((label) => {
    const box = label.getElement();
    if (!box) { return; }
    box.style.visibility = "";
    const r = box.getBoundingClientRect();
    const hit = placed.some((p) => !(r.right < p.left || p.right < r.left ||
                                     r.bottom < p.top || p.bottom < r.top));
    if (hit) { box.style.visibility = "hidden"; } else { placed.push(r); }
  });
}

function modeControl(model, root) {
  const Control = L.Control.extend({
    onAdd: () => {
      const box = L.DomUtil.create("div", "tm-modes leaflet-bar");
      const title = L.DomUtil.create("div", "tm-modes-title", box);
      title.textContent = "Un clic sur la carte :";
      const buttons = {};
      for (const [mode, text] of [["explain", "explique la commune"], ["add", "ajoute un lieu"]]) {
        const b = L.DomUtil.create("button", "tm-mode", box);
        b.type = "button";
        b.dataset.mode = mode;
        b.textContent = text;
        buttons[mode] = b;
        L.DomEvent.on(b, "click", (e) => { L.DomEvent.stop(e); model.click_mode = mode; });
      }
      const sync = () => {
        for (const [mode, b] of Object.entries(buttons)) {
          b.classList.toggle("tm-active", model.click_mode === mode);
        }
        root.classList.toggle("tm-adding", model.click_mode === "add");
      };
      sync();
      model.on("click_mode", sync);
      L.DomEvent.disableClickPropagation(box);
      return box;
    },
  });
  return new Control({position: "topleft"});
}

function textControl(position, className, text) {
  const Control = L.Control.extend({
    onAdd: () => {
      const box = L.DomUtil.create("div", className);
      box.textContent = text;
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    },
  });
  return new Control({position: position});
}

// Folded or not, the legend stays so for the session and the next visits (when the browser
// lets the page store it).
const LEGEND_KEY = "territory.legend.folded";
let legendFolded = (() => {
  try { return window.localStorage.getItem(LEGEND_KEY) === "1"; } catch { return false; }
})();

function foldLegend(folded) {
  legendFolded = folded;
  try { window.localStorage.setItem(LEGEND_KEY, folded ? "1" : "0"); } catch { /* kept in memory */ }
}

function legendControl(html) {
  const Control = L.Control.extend({
    onAdd: () => {
      const box = L.DomUtil.create("div", "tm-box tm-legend");
      const toggle = L.DomUtil.create("button", "tm-legend-toggle", box);
      toggle.type = "button";
      const body = L.DomUtil.create("div", "tm-legend-body", box);
      body.innerHTML = html;  // built in Python, every text escaped (see the top)
      const show = () => {
        box.classList.toggle("tm-folded", legendFolded);
        toggle.setAttribute("aria-expanded", String(!legendFolded));
        toggle.title = legendFolded ? "Afficher la légende" : "Masquer la légende";
        toggle.textContent = legendFolded ? "Légende ▴" : "Légende ▾";
      };
      show();
      L.DomEvent.on(toggle, "click", (e) => {
        L.DomEvent.stop(e);
        foldLegend(!legendFolded);
        show();
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    },
  });
  return new Control({position: "bottomright"});
}

// The controls are drawn above every pane of the map, popups included: a popup that opens
// under them is moved clear of them (and of the map's edges) by panning the map.
const POPUP_MARGIN = 8;

function hiddenArea(box, blocks, frame) {
  const overlap = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) *
    Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
  const area = (box.right - box.left) * (box.bottom - box.top);
  return blocks.reduce((sum, b) => sum + overlap(box, b), 0) + area - overlap(box, frame);
}

function popupShift(box, blocks, frame) {
  const m = POPUP_MARGIN;
  const inner = {left: frame.left + m, top: frame.top + m, right: frame.right - m,
                 bottom: frame.bottom - m};
  const xs = [0, inner.left - box.left, inner.right - box.right];
  const ys = [0, inner.top - box.top, inner.bottom - box.bottom];
  for (const b of blocks) {
    xs.push(b.right + m - box.left, b.left - m - box.right);
    ys.push(b.bottom + m - box.top, b.top - m - box.bottom);
  }
  let best = null;
  for (const dx of xs) {
    for (const dy of ys) {
      const moved = {left: box.left + dx, right: box.right + dx, top: box.top + dy,
                     bottom: box.bottom + dy};
      const cost = [hiddenArea(moved, blocks, inner), Math.abs(dx) + Math.abs(dy)];
      if (!best || cost[0] < best.cost[0] - 0.5 ||
          (Math.abs(cost[0] - best.cost[0]) <= 0.5 && cost[1] < best.cost[1])) {
        best = {dx: dx, dy: dy, cost: cost};
      }
    }
  }
  return best;
}

function controlBoxes(root) {
  return [...root.querySelectorAll(".leaflet-control, .tm-banner")]
    .map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0);
}

function keepPopupClear(map, root) {
  map.on("popupopen", (e) => {
    const node = e.popup.getElement()?.querySelector(".leaflet-popup-content-wrapper");
    if (!node) { return; }
    const best = popupShift(node.getBoundingClientRect(), controlBoxes(root),
                            map.getContainer().getBoundingClientRect());
    if (best.dx || best.dy) { map.panBy([-best.dx, -best.dy]); }
  });
}

function wirePopupButtons(map, model) {
  map.on("popupopen", (e) => {
    const node = e.popup.getElement();
    for (const button of node.querySelectorAll("[data-action]")) {
      L.DomEvent.on(button, "click", (ev) => {
        L.DomEvent.stop(ev);
        model.send_msg({type: button.dataset.action, id: button.dataset.id || null,
                        code: button.dataset.code || null});
        map.closePopup();
      });
    }
  });
}

export function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "tm-root";
  const container = document.createElement("div");
  container.className = "tm-map";
  root.appendChild(container);
  if (model.banner) {
    const banner = document.createElement("div");
    banner.className = "tm-banner";
    banner.textContent = model.banner;
    root.appendChild(banner);
  }
  el.appendChild(root);
  // The tiles' library is fetched while the page lays itself out.
  const vectorLibrary = model.tiles[model.area_layer] ? loadVectorTiles(model.tiles_library)
    : null;

  const map = L.map(container, {zoomSnap: 0.25, zoomDelta: 0.5, attributionControl: false,
                                minZoom: 5, maxZoom: 16});
  for (const [name, z] of PANES) { map.createPane(name).style.zIndex = z; }
  root.tmMap = map;
  map.getPane("tmNames").style.pointerEvents = "none";
  // faded: 1 per zone outside the selection, by position; rank: position → rank, from the
  // positions of the selection's zones in rank order (a few hundred for an ML).
  const state = {index: new Map(), faded: model.faded, rank: ranksOf(model.ranks),
                 highlight: new Set(model.highlight), hover: null};
  const indexCodes = () => { state.index = new Map(model.codes.map((code, i) => [code, i])); };
  indexCodes();

  const tiles = L.tileLayer(TILES, {maxZoom: 16, opacity: 0.6});
  L.control.layers(null, {"Fond OpenStreetMap (nécessite internet)": tiles},
                   {position: "topright", collapsed: true}).addTo(map);
  const actions = pointGroup(map);
  actions.remove();
  const sites = pointGroup(map);
  const proposals = L.layerGroup().addTo(map);
  const candidates = L.layerGroup().addTo(map);
  candidates._tmModel = model;
  const names = L.layerGroup().addTo(map);
  // Thousands of outreach places go on a canvas that lets clicks through to the communes
  // (no tooltip of their own); the sites are SVG, with a tooltip each.
  const actionRenderer = L.canvas({pane: "tmActions", padding: 0.3});
  map.getPane("tmActions").style.pointerEvents = "none";
  const siteRenderer = L.svg({pane: "tmSites", padding: 0.3});

  const areas = {layer: null, rings: null, layerFrame: 0, ringsFrame: 0};
  const drawActions = () => drawPoints(map, actions, actionRenderer, model.actions, 1.8, "#ffffff");
  const drawSites = () => drawPoints(map, sites, siteRenderer, model.sites, 2.8, "#333333");
  drawMarkers(candidates, model.candidates, "candidate");
  drawMarkers(proposals, model.proposals, "proposal");
  if (model.modes) { modeControl(model, root).addTo(map); }
  let legend = legendControl(model.legend_html).addTo(map);
  textControl("bottomleft", "tm-sources", model.sources).addTo(map);
  wirePopupButtons(map, model);
  keepPopupClear(map, root);

  map.on("click", (e) => {
    const f = pickArea(areas.layer, model, e.latlng);
    sendClick(model, e.latlng, f ? f.props.code : null);
  });
  hoverAreas(map, model, state, areas);
  // What the zones look like, for the tests and for anyone checking the map from the console:
  // the zone under a point of the map's container or of the page, a zone's fill, every fill.
  const codeAt = (x, y) => pickArea(areas.layer, model, map.containerPointToLatLng([x, y]))
    ?.props.code ?? null;
  root.tmAreas = {
    codeAt: codeAt,
    // The zone seen at a point of the page (clientX, clientY): null where a dot, a name, a
    // marker or a control covers the zones.
    zoneAt: (x, y) => {
      // Tiles take no pointer events: where nothing else does, the map itself is hit.
      const el = root.getRootNode().elementFromPoint(x, y);
      if (el !== container && !map.getPane("tmAreas").contains(el)) { return null; }
      const box = container.getBoundingClientRect();
      return codeAt(x - box.left, y - box.top);
    },
    fill: (code) => areaFill(model, state, state.index.get(code)),
    fills: () => model.codes.map((_, i) => areaFill(model, state, i)),
  };
  // Outreach places show from the scale of a Mission Locale on: at the region's, thousands of
  // dots would hide the communes' colours.
  function showActions() {
    if (map.getZoom() >= ACTIONS_ZOOM) { actions.addTo(map); } else { actions.remove(); }
  }
  map.on("zoomend", () => {
    showActions();
    declutter(names);
    resizePoints(map, actions);
    resizePoints(map, sites);
  });

  model.on(["classes", "palette", "selected_outline"], () => restyle(areas));
  model.on("codes", () => {
    indexCodes();
    restyle(areas);
    restyle(areas, "rings");
  });
  model.on("faded", () => { state.faded = model.faded; restyle(areas); });
  model.on("ranks", () => { state.rank = ranksOf(model.ranks); });
  model.on("highlight", () => {
    state.highlight = new Set(model.highlight);
    restyle(areas, "rings");
  });
  model.on("actions", drawActions);
  model.on("sites", drawSites);
  model.on("candidates", () => drawMarkers(candidates, model.candidates, "candidate"));
  model.on("proposals", () => drawMarkers(proposals, model.proposals, "proposal"));
  model.on("legend_html", () => {
    legend.remove();
    legend = legendControl(model.legend_html).addTo(map);
  });
  model.on("view_bounds", () => fit(model.view_bounds));
  model.on("msg:custom", (msg) => {
    if (msg.type === "popup") {
      L.popup({maxWidth: 340, className: "tm-popup", autoPan: false})
        .setLatLng([msg.lat, msg.lon])
        .setContent(msg.html).openOn(map);  // built in Python, every text escaped
    } else if (msg.type === "zoom") {
      fit(msg.bounds, msg.max_zoom);
    }
  });

  let fitted = false;
  function fit(bounds, maxZoom) {
    if (!bounds || bounds.length !== 2) { return; }
    map.fitBounds(bounds, {padding: [24, 24], animate: false, maxZoom: maxZoom || 13});
  }
  function layout() {
    map.invalidateSize({pan: false});
    if (!fitted && container.clientHeight > 0) {
      fitted = true;
      fit(model.view_bounds);
      // Points after the zones: the map shows whole first, the dots a frame later.
      const drawn = () => {
        root.dataset.drawn = String(model.codes.length);
        window.territoryMapDrawn = performance.now();
        // What the first view does not need (the table, …) comes once the map is drawn.
        model.send_msg({type: "shown"});
        requestAnimationFrame(() => {
          drawNames(names, model.names);
          declutter(names);
          drawActions();
          drawSites();
          showActions();
        });
      };
      if (!model.tiles[model.area_layer]) { drawn(); return; }
      vectorLibrary.then((P) => {
        Object.assign(areas, drawAreas(P, map, model, state));
        areas.layer.once("load", drawn);
      }).catch((error) => {
        root.dataset.error = String(error);
        model.send_msg({type: "shown"});
        throw error;
      });
    }
  }
  model.on("after_layout", layout);
  model.on("resize", layout);
  model.on("remove", () => map.remove());
  requestAnimationFrame(layout);
  return null;
}
