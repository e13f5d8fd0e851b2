/* frontmap's offline map page. The data comes from the JSON data blocks (script elements of type
 * application/json) that src/web.rs writes. Every string from an article reaches the DOM through textContent
 * (el() below), never through innerHTML, and Leaflet only ever gets DOM nodes for popups and tooltips (it would
 * innerHTML a string). State for tests and the curious: window.frontmap (counts, state, selectArticle, showAll,
 * setDate, setColour). */
(function () {
  'use strict';

  var errors = [];
  window.addEventListener('error', function (event) {
    errors.push(String(event && event.message ? event.message : event));
  });

  function data(id, fallback) {
    var node = document.getElementById(id);
    if (!node) return fallback;
    try {
      var value = JSON.parse(node.textContent);
      return value === null || value === undefined ? fallback : value;
    } catch (e) {
      errors.push('data block ' + id + ': ' + e.message);
      return fallback;
    }
  }

  /* The one way text gets into the page. */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /* Lookup tables keyed by data (article ids, area ids, dates): no prototype, so an id such as "__proto__" or
   * "constructor" is just a key. */
  function dict() {
    return Object.create(null);
  }

  function str(value) {
    return typeof value === 'string' ? value : (value === undefined || value === null ? '' : String(value));
  }

  function plural(n, word) {
    return n + ' ' + word + (n === 1 ? '' : 's');
  }

  var meta = data('fm-meta', {});
  var events = data('fm-events', []);
  var areas = data('fm-areas', { type: 'FeatureCollection', features: [] });
  var clusters = data('fm-clusters', []);
  var hulls = data('fm-hulls', { type: 'FeatureCollection', features: [] });
  var occupied = data('fm-occupied', { type: 'FeatureCollection', features: [] });
  var front = data('fm-front', { type: 'FeatureCollection', features: [] });
  if (!Array.isArray(events)) events = [];
  if (!Array.isArray(clusters)) clusters = [];
  var articles = Array.isArray(meta.articles) ? meta.articles : [];
  var dates = Array.isArray(meta.dates) ? meta.dates : [];
  var legend = Array.isArray(meta.legend) ? meta.legend : [];
  var areaFeatures = Array.isArray(areas.features) ? areas.features : [];
  var hullFeatures = Array.isArray(hulls.features) ? hulls.features : [];
  var occupiedFeatures = Array.isArray(occupied.features) ? occupied.features : [];
  var frontFeatures = Array.isArray(front.features) ? front.features : [];

  var OTHER = '#7f7f7f';
  var UNDATED = '#9ca3af';
  /* Old (blue-purple) to recent (orange): readable on the light base map at both ends. */
  var DATE_RAMP = ['#2c3e9e', '#7e22ce', '#c026d3', '#e11d48', '#f97316'];
  var UKRAINE = [[44.3, 22.1], [52.4, 40.3]];
  var CANVAS_ABOVE = 3000;

  var state = { article: '', date: '', colour: 'area' };
  var counts = { events: 0, totalEvents: events.length, articles: articles.length, areas: 0, directions: 0,
    highlightedAreas: 0, clusters: clusters.length, occupied: 0, front: 0 };

  /* ---- map and panes (SVG: few enough shapes, and SVG lets the polygons under the markers still get hovers) */
  var map = L.map('fm-map', { attributionControl: false, zoomSnap: 0.25, minZoom: 3, maxZoom: 14 });
  [['fm-areas', 400], ['fm-occupied', 410], ['fm-directions', 420], ['fm-clusters', 430], ['fm-events', 450]]
    .forEach(function (pane) { map.createPane(pane[0]).style.zIndex = String(pane[1]); });

  function hexToRgb(hex) {
    var n = parseInt(hex.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  function mix(a, b, t) {
    var x = hexToRgb(a), y = hexToRgb(b);
    return '#' + x.map(function (v, i) {
      var c = Math.round(v + (y[i] - v) * t);
      return (c < 16 ? '0' : '') + c.toString(16);
    }).join('');
  }
  function ramp(stops, t) {
    if (!(t >= 0)) t = 0;
    if (t > 1) t = 1;
    var scaled = t * (stops.length - 1);
    var i = Math.min(Math.floor(scaled), stops.length - 2);
    return mix(stops[i], stops[i + 1], scaled - i);
  }

  /* ---- areas: oblasts and regions (base map, optional choropleth), directions (outlines) */
  var maxAreaEvents = 0;
  areaFeatures.forEach(function (f) {
    var p = f.properties || {};
    if (!p.direction) maxAreaEvents = Math.max(maxAreaEvents, Number(p.events) || 0);
  });
  var covered = dict();

  function areaStyle(feature) {
    var p = feature.properties || {};
    var russian = p.country === 'RU' || str(p.id).indexOf('RU-') === 0;
    var base = russian ? '#e8e5df' : '#f8f5ec';
    var fill = base;
    if (shadeToggle.checked && maxAreaEvents > 0 && Number(p.events) > 0) {
      fill = mix(base, '#e3a67c', Math.log(1 + Number(p.events)) / Math.log(1 + maxAreaEvents) * 0.75);
    }
    var style = { pane: 'fm-areas', color: russian ? '#a8a29e' : '#8d8373', weight: 0.9, fillColor: fill,
      fillOpacity: 1 };
    if (state.article) {
      if (covered[p.id]) {
        style.color = '#c2410c';
        style.weight = 2.5;
        style.fillColor = '#fed7aa';
      } else {
        style.fillOpacity = 0.55;
      }
    }
    return style;
  }

  function directionStyle(feature) {
    var p = feature.properties || {};
    var on = state.article && covered[p.id];
    return { pane: 'fm-directions', color: on ? '#c2410c' : '#334155', weight: on ? 2.5 : 1.2,
      dashArray: on ? null : '5 4', fill: Boolean(on), fillColor: '#fdba74', fillOpacity: 0.25 };
  }

  function areaTip(feature) {
    var p = feature.properties || {};
    var box = el('div', 'fm-tip');
    box.appendChild(el('div', null, str(p.name) || str(p.id)));
    var type = str(p.type) || (p.direction ? 'direction' : 'area');
    box.appendChild(el('div', 'fm-muted', type + ' · ' + plural(Number(p.events) || 0, 'event') + ' · ' +
      plural(Number(p.articles) || 0, 'article')));
    return box;
  }

  function polygonLayer(features, style) {
    return L.geoJSON({ type: 'FeatureCollection', features: features }, {
      style: style,
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(function () { return areaTip(feature); }, { sticky: true });
      }
    });
  }

  var baseFeatures = areaFeatures.filter(function (f) { return !(f.properties || {}).direction; });
  var directionFeatures = areaFeatures.filter(function (f) { return (f.properties || {}).direction; });
  var shadeToggle = document.getElementById('fm-toggle-shade');
  var areasLayer = polygonLayer(baseFeatures, areaStyle);
  var directionsLayer = polygonLayer(directionFeatures, directionStyle);
  counts.areas = baseFeatures.length;
  counts.directions = directionFeatures.length;

  /* ---- occupied area and line of contact: dated snapshots. Shown: the latest on or before the chosen date,
   * none when every snapshot is later (as layers::write decides `occupied`), the latest of all for "All dates"
   * and "Undated". */
  function snapshot(features) {
    var dated = features.map(function (f) { return str((f.properties || {}).date); });
    var limit = /^\d{4}-\d{2}-\d{2}$/.test(state.date) ? state.date : '\uffff';
    var wanted = null;
    dated.forEach(function (d) { if (d <= limit && (wanted === null || d > wanted)) wanted = d; });
    return {
      date: wanted || '',
      features: features.filter(function (f, i) { return wanted !== null && dated[i] === wanted; })
    };
  }
  function drawSnapshot(layerGroup, features, style, label) {
    layerGroup.clearLayers();
    var chosen = snapshot(features);
    L.geoJSON({ type: 'FeatureCollection', features: chosen.features }, {
      style: style,
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(el('div', 'fm-tip', label + (chosen.date ? ' (' + chosen.date + ')' : '')), { sticky: true });
      }
    }).eachLayer(function (layer) { layerGroup.addLayer(layer); });
    return chosen.features.length;
  }
  var occupiedLayer = L.layerGroup();
  var frontLayer = L.layerGroup();
  function drawOccupied() {
    counts.occupied = drawSnapshot(occupiedLayer, occupiedFeatures,
      { pane: 'fm-occupied', color: '#991b1b', weight: 0.8, fillColor: '#dc2626', fillOpacity: 0.16 }, 'Occupied area');
    counts.front = drawSnapshot(frontLayer, frontFeatures,
      { pane: 'fm-occupied', color: '#b91c1c', weight: 2.2, opacity: 0.9 }, 'Line of contact');
  }

  /* ---- clusters: hulls when there are any, else a ring at each cluster's centroid */
  var clustersLayer = L.layerGroup();
  var clusterById = dict();
  clusters.forEach(function (c) { clusterById[str(c.id)] = c; });
  function clusterTip(c, id) {
    var box = el('div', 'fm-tip');
    box.appendChild(el('div', null, 'Cluster ' + (id || '')));
    if (c) {
      box.appendChild(el('div', 'fm-muted', plural(Number(c.event_count) || 0, 'event') + ', ' +
        plural(Number(c.place_count) || 0, 'place')));
      var names = (c.places || []).slice(0, 8).join(', ') + ((c.places || []).length > 8 ? ', …' : '');
      if (names) box.appendChild(el('div', null, names));
      var span = [str(c.first_date), str(c.last_date)].filter(Boolean);
      if (span.length) box.appendChild(el('div', 'fm-muted', span[0] === span[span.length - 1] ? span[0] : span.join(' – ')));
    }
    return box;
  }
  if (hullFeatures.length) {
    L.geoJSON({ type: 'FeatureCollection', features: hullFeatures }, {
      style: { pane: 'fm-clusters', color: '#6d28d9', weight: 1.3, dashArray: '3 3', fillColor: '#8b5cf6',
        fillOpacity: 0.08 },
      onEachFeature: function (feature, layer) {
        var id = str((feature.properties || {}).cluster) || str((feature.properties || {}).id);
        layer.bindTooltip(function () { return clusterTip(clusterById[id], id); }, { sticky: true });
      }
    }).eachLayer(function (layer) { clustersLayer.addLayer(layer); });
  } else {
    clusters.forEach(function (c) {
      var marker = L.circleMarker([c.lat, c.lon], { pane: 'fm-clusters', radius: 8 + 2 * Math.sqrt(Number(c.event_count) || 1),
        color: '#6d28d9', weight: 1.3, dashArray: '3 3', fill: true, fillOpacity: 0.06 });
      marker.bindTooltip(function () { return clusterTip(c, str(c.id)); }, { sticky: true });
      clustersLayer.addLayer(marker);
    });
  }

  /* ---- events */
  var areaColour = dict();
  legend.forEach(function (entry) { areaColour[str(entry.area)] = str(entry.colour) || OTHER; });
  var dateIndex = dict();
  dates.forEach(function (d, i) { dateIndex[d] = i; });

  function eventColour(e) {
    if (state.colour === 'date') {
      if (!(e.date in dateIndex)) return UNDATED;
      return ramp(DATE_RAMP, dates.length > 1 ? dateIndex[e.date] / (dates.length - 1) : 1);
    }
    return areaColour[str(e.area)] || OTHER;
  }
  function eventStyle(e) {
    var colour = eventColour(e);
    var exact = e.precision === 'exact';
    return { pane: 'fm-events', radius: Math.min(4.5 + 2.5 * Math.sqrt(Number(e.mentions) || 1), 20),
      color: exact ? '#ffffff' : colour, weight: exact ? 1 : 1.8, dashArray: exact ? null : '3 2',
      fillColor: colour, fillOpacity: exact ? 0.88 : 0.35, opacity: 1 };
  }

  var KINDS = { populated_place: 'settlement', admin1: 'oblast / region', admin2: 'district', landmark: 'landmark',
    region: 'region', country: 'country', continent: 'continent' };

  function articleOf(id) {
    for (var i = 0; i < articles.length; i++) if (articles[i].id === id) return articles[i];
    return null;
  }

  function popupFor(e) {
    var box = el('div', 'fm-popup');
    box.appendChild(el('h3', null, str(e.name) || str(e.place_id) || 'unnamed place'));
    var kind = Object.prototype.hasOwnProperty.call(KINDS, e.kind) ? KINDS[e.kind] : str(e.kind);
    var where = [kind, str(e.admin1), str(e.country)].filter(Boolean).join(' · ');
    if (where) box.appendChild(el('p', 'fm-muted', where));
    var precision = el('p', 'fm-precision');
    if (e.precision === 'exact') {
      precision.appendChild(el('span', 'fm-exact', 'Exact point'));
    } else if (e.precision === 'area') {
      precision.appendChild(el('span', 'fm-approx', 'APPROXIMATE — a whole area; the point only marks it'));
    } else {
      precision.appendChild(el('span', 'fm-approx', 'APPROXIMATE location — the point is near the place, not on it'));
    }
    if (e.geo_precision) precision.appendChild(el('span', 'fm-muted', '  geo-precision ' + e.geo_precision));
    box.appendChild(precision);
    if (e.surfaces && e.surfaces.length) box.appendChild(el('p', null, 'Written as: ' + e.surfaces.join(', ')));
    var facts = [plural(Number(e.mentions) || 1, 'mention')];
    if (typeof e.confidence === 'number') facts.push('confidence ' + e.confidence.toFixed(2));
    if (e.rule) facts.push('rule ' + e.rule);
    if (e.role) facts.push(e.role);
    box.appendChild(el('p', 'fm-muted', facts.join(' · ')));
    var front = [];
    if (e.occupied) front.push('occupied: ' + e.occupied);
    if (typeof e.front_distance_km === 'number') front.push(e.front_distance_km.toFixed(1) + ' km from the front line');
    if (front.length) box.appendChild(el('p', null, front.join(' · ')));
    var article = el('p');
    article.appendChild(el('strong', null, str(e.title) || str(e.article)));
    var when = [str(e.date) || 'undated', str(e.source)].filter(Boolean).join(' · ');
    article.appendChild(el('span', 'fm-muted', ' ' + when));
    box.appendChild(article);
    if (e.snippet) box.appendChild(el('blockquote', null, e.snippet));
    if (state.article !== e.article) {
      var only = el('button', 'fm-only', 'Show only this article');
      only.type = 'button';
      only.addEventListener('click', function () { selectArticle(e.article); });
      box.appendChild(only);
    }
    return box;
  }

  var eventsLayer = L.layerGroup();
  /* SVG keeps the polygons below hoverable, but thousands of SVG circles get slow: then one canvas for them. */
  var eventRenderer = events.length > CANVAS_ABOVE ? L.canvas({ pane: 'fm-events' }) : null;
  var markers = events.map(function (e, i) {
    var style = eventStyle(e);
    if (eventRenderer) style.renderer = eventRenderer;
    var marker = L.circleMarker([e.lat, e.lon], style);
    marker.bindPopup(function () { return popupFor(e); }, { maxWidth: 340 });
    marker.bindTooltip(function () {
      return el('span', 'fm-tip', (str(e.name) || str(e.place_id)) + (e.precision === 'exact' ? '' : ' (approximate)'));
    }, { direction: 'top', offset: [0, -6] });
    marker.fmIndex = i;
    return marker;
  });
  /* Big circles first, so that small ones stay clickable on top; ties in data order. */
  var drawOrder = events.map(function (e, i) { return i; }).sort(function (a, b) {
    return (Number(events[b].mentions) || 1) - (Number(events[a].mentions) || 1) || a - b;
  });

  /* Per article, the date keys of its events; per date key, how many events: refresh() stays O(events). */
  var articleDates = dict();
  var perDate = dict();
  events.forEach(function (e) {
    var key = e.date in dateIndex ? e.date : 'undated';
    (articleDates[e.article] = articleDates[e.article] || dict())[key] = true;
    perDate[key] = (perDate[key] || 0) + 1;
  });

  function dateMatches(e) {
    if (!state.date) return true;
    if (state.date === 'undated') return !(e.date in dateIndex);
    return e.date === state.date;
  }
  function visible(e) {
    return (!state.article || e.article === state.article) && dateMatches(e);
  }

  /* ---- sidebar */
  var toggles = {
    areas: [document.getElementById('fm-toggle-areas'), areasLayer],
    directions: [document.getElementById('fm-toggle-directions'), directionsLayer],
    occupied: [document.getElementById('fm-toggle-occupied'), occupiedLayer],
    front: [document.getElementById('fm-toggle-front'), frontLayer],
    events: [document.getElementById('fm-toggle-events'), eventsLayer],
    clusters: [document.getElementById('fm-toggle-clusters'), clustersLayer]
  };
  Object.keys(toggles).forEach(function (name) {
    var box = toggles[name][0], layer = toggles[name][1];
    function apply() { if (box.checked) layer.addTo(map); else map.removeLayer(layer); }
    box.addEventListener('change', apply);
    apply();
  });
  shadeToggle.addEventListener('change', function () { areasLayer.setStyle(areaStyle); });
  if (occupiedFeatures.length) document.getElementById('fm-occupied-row').hidden = false;
  if (frontFeatures.length) document.getElementById('fm-front-row').hidden = false;

  var dateOptions = [{ key: '', label: 'All dates' }];
  dates.forEach(function (d) { dateOptions.push({ key: d, label: d }); });
  if (meta.undated > 0) dateOptions.push({ key: 'undated', label: 'Undated' });
  var slider = document.getElementById('fm-date');
  slider.max = String(dateOptions.length - 1);
  slider.disabled = dateOptions.length < 2;
  slider.addEventListener('input', function () { setDate(dateOptions[Number(slider.value)].key); });

  var list = document.getElementById('fm-articles');
  var buttons = dict();
  articles.forEach(function (a) {
    var item = el('li');
    var button = el('button', 'fm-article');
    button.type = 'button';
    button.dataset.article = str(a.id);
    button.appendChild(el('span', 'fm-article-title', str(a.title) || str(a.id)));
    var info = [str(a.date) || 'undated', plural(Number(a.places) || 0, 'place')];
    button.appendChild(el('span', 'fm-article-meta', info.join(' · ')));
    button.title = str(a.source) || str(a.id);
    button.addEventListener('click', function () {
      if (state.article === a.id) showAll(); else selectArticle(a.id);
    });
    buttons[a.id] = button;
    item.appendChild(button);
    list.appendChild(item);
  });
  if (!articles.length) list.appendChild(el('li', 'fm-muted', 'No article mentions a place the gazetteer knows.'));
  var showAllButton = document.getElementById('fm-show-all');
  showAllButton.addEventListener('click', function () { showAll(); });

  Array.prototype.forEach.call(document.querySelectorAll('input[name="fm-colour"]'), function (radio) {
    radio.addEventListener('change', function () { if (radio.checked) setColour(radio.value); });
  });

  function drawLegend() {
    var box = document.getElementById('fm-legend');
    while (box.firstChild) box.removeChild(box.firstChild);
    if (state.colour === 'date') {
      if (dates.length) {
        var bar = el('div', 'fm-ramp');
        bar.style.background = 'linear-gradient(to right, ' + DATE_RAMP.join(', ') + ')';
        box.appendChild(bar);
        var labels = el('div', 'fm-ramp-labels');
        labels.appendChild(el('span', null, dates[0]));
        labels.appendChild(el('span', null, dates[dates.length - 1]));
        box.appendChild(labels);
      }
      if (meta.undated > 0) box.appendChild(legendItem(UNDATED, 'undated'));
      return;
    }
    var shown = legend.filter(function (entry) { return entry.area && entry.colour !== OTHER; });
    var rest = legend.filter(function (entry) { return entry.area && entry.colour === OTHER; });
    shown.forEach(function (entry) { box.appendChild(legendItem(entry.colour, entry.name || entry.area)); });
    if (rest.length) box.appendChild(legendItem(OTHER, plural(rest.length, 'other area')));
    legend.filter(function (entry) { return !entry.area; }).forEach(function (entry) {
      box.appendChild(legendItem(entry.colour, entry.name));
    });
  }
  function legendItem(colour, label) {
    var item = el('div', 'fm-legend-item');
    var swatch = el('span', 'fm-swatch');
    swatch.style.background = colour;
    item.appendChild(swatch);
    item.appendChild(el('span', null, label));
    item.title = label;
    return item;
  }

  /* ---- state changes */
  function refresh() {
    eventsLayer.clearLayers();
    var shown = 0;
    drawOrder.forEach(function (i) {
      if (visible(events[i])) {
        eventsLayer.addLayer(markers[i]);
        shown++;
      }
    });
    counts.events = shown;
    var article = state.article ? articleOf(state.article) : null;
    covered = dict();
    ((article && article.areas) || []).forEach(function (id) { covered[id] = true; });
    counts.highlightedAreas = areaFeatures.filter(function (f) { return covered[(f.properties || {}).id]; }).length;
    areasLayer.setStyle(areaStyle);
    directionsLayer.setStyle(directionStyle);
    drawOccupied();

    Object.keys(buttons).forEach(function (id) {
      buttons[id].classList.toggle('fm-active', id === state.article);
      var onDate = !state.date || Boolean((articleDates[id] || dict())[state.date]);
      buttons[id].classList.toggle('fm-dim', !onDate);
    });
    showAllButton.disabled = !state.article && !state.date;

    var option = 0;
    dateOptions.forEach(function (o, i) { if (o.key === state.date) option = i; });
    slider.value = String(option);
    document.getElementById('fm-date-label').textContent = dateOptions[option].label + ' · ' +
      plural(state.date ? perDate[state.date] || 0 : events.length, 'event');

    var status = document.getElementById('fm-status');
    var parts = ['Showing ' + shown + ' of ' + plural(events.length, 'event')];
    if (article) parts.push('article: ' + (str(article.title) || str(article.id)));
    if (state.date) parts.push(state.date === 'undated' ? 'undated' : state.date);
    if (article) parts.push(plural(counts.highlightedAreas, 'area') + ' covered');
    status.textContent = parts.join(' · ');
    status.dataset.eventCount = String(shown);
    status.dataset.totalEvents = String(events.length);
    status.dataset.article = state.article;
    status.dataset.date = state.date;
    status.dataset.highlightedAreas = String(counts.highlightedAreas);
    status.dataset.areaCount = String(counts.areas);
    status.dataset.directionCount = String(counts.directions);
    status.dataset.clusterCount = String(counts.clusters);
  }

  /* Views jump rather than fly: the new state is on screen (and clickable) as soon as the click returns. */
  function fitTo(latlngs) {
    if (latlngs.length === 1) {
      map.setView(latlngs[0], Math.max(map.getZoom(), 9), { animate: false });
    } else if (latlngs.length > 1) {
      map.fitBounds(L.latLngBounds(latlngs), { padding: [40, 40], maxZoom: 10, animate: false });
    }
  }

  function selectArticle(id) {
    state.article = str(id);
    state.date = '';
    map.closePopup();
    refresh();
    /* A country's or continent's point is a convention far from the story: frame the other places. */
    var shown = events.filter(visible);
    var local = shown.filter(function (e) { return e.kind !== 'country' && e.kind !== 'continent'; });
    fitTo((local.length ? local : shown).map(function (e) { return [e.lat, e.lon]; }));
  }

  function showAll() {
    state.article = '';
    state.date = '';
    map.closePopup();
    refresh();
    initialView();
  }

  function setDate(key) {
    state.date = str(key);
    refresh();
  }

  function setColour(mode) {
    state.colour = mode === 'date' ? 'date' : 'area';
    markers.forEach(function (marker, i) {
      var style = eventStyle(events[i]);
      delete style.pane;
      marker.setStyle(style);
    });
    document.getElementById('fm-colour-' + state.colour).checked = true;
    drawLegend();
  }

  /* Home view: Ukraine's areas when there are any (the Russian border regions would shrink it), else all areas,
   * else the places near the front, else Ukraine's rough box. */
  var homeBounds = L.geoJSON({ type: 'FeatureCollection', features: baseFeatures.filter(function (f) {
    var p = f.properties || {};
    return p.country === 'UA' || str(p.id).indexOf('UA-') === 0;
  }) }).getBounds();
  if (!homeBounds.isValid()) homeBounds = areasLayer.getBounds();
  if (!homeBounds.isValid()) {
    homeBounds = L.latLngBounds(events.filter(function (e) {
      return e.lat >= 43 && e.lat <= 57 && e.lon >= 20 && e.lon <= 48;
    }).map(function (e) { return [e.lat, e.lon]; }));
  }
  if (!homeBounds.isValid()) homeBounds = L.latLngBounds(UKRAINE);
  function initialView() {
    map.fitBounds(homeBounds, { padding: [12, 12], animate: false });
  }

  /* ---- header and attribution */
  var summaryBox = document.getElementById('fm-summary');
  var summary = [str(meta.title), plural(events.length, 'event')];
  if (dates.length) summary.push(dates[0] === dates[dates.length - 1] ? dates[0] : dates[0] + ' – ' + dates[dates.length - 1]);
  if (clusters.length) summary.push(plural(clusters.length, 'cluster'));
  summary.filter(Boolean).forEach(function (part, i) {
    if (i) summaryBox.appendChild(document.createTextNode(' · '));
    summaryBox.appendChild(el('span', 'fm-nowrap', part));
  });
  var warnings = [];
  if (meta.failures > 0) warnings.push(plural(meta.failures, 'input') + ' could not be read (see failures.jsonl).');
  if (meta.skipped_features > 0) warnings.push(plural(meta.skipped_features, 'feature') + ' without a usable geometry left out.');
  if (warnings.length) {
    var warn = document.getElementById('fm-warnings');
    warn.textContent = warnings.join(' ');
    warn.hidden = false;
  }
  var attribution = (Array.isArray(meta.attribution) ? meta.attribution : []).map(str).filter(Boolean);
  attribution.push('Map: Leaflet (BSD-2)');
  document.getElementById('fm-attribution').textContent = attribution.join(' · ');

  initialView();
  drawLegend();
  refresh();

  window.frontmap = {
    map: map,
    counts: counts,
    state: state,
    errors: errors,
    dates: dateOptions.map(function (o) { return o.key; }),
    selectArticle: selectArticle,
    showAll: showAll,
    setDate: setDate,
    setColour: setColour,
    ready: true
  };
  document.body.dataset.ready = 'true';
})();
