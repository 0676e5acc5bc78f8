// The network explorer's graph: Cytoscape.js (vendored) fed by the JSON routes
// under /app/network/graph/. Selecting a node expands it; selecting a link shows
// the shipments and findings behind it. No inline script (CSP): this file only.
"use strict";

(function () {
  const container = document.getElementById("graph");
  if (!container || typeof cytoscape !== "function") return;
  const base = "/app/network/graph/";
  const expanded = new Set();

  const cy = cytoscape({
    container: container,
    style: [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 9, "text-wrap": "ellipsis", "text-max-width": 110,
        "background-color": "mapData(risk, 0, 1, #8fb3d9, #c62828)", "width": 22, "height": 22 } },
      { selector: "node.identifier", style: { "shape": "diamond", "width": 16, "height": 16 } },
      { selector: "node.shipment", style: { "shape": "square", "width": 14, "height": 14 } },
      { selector: "node.expanded", style: { "border-width": 2, "border-color": "#333" } },
      { selector: "edge", style: { "width": "mapData(count, 1, 20, 1, 6)", "line-color": "#999", "curve-style": "bezier" } },
      { selector: ":selected", style: { "overlay-opacity": 0.2, "line-color": "#1b5e20", "background-color": "#1b5e20" } },
    ],
  });

  function getJSON(path, params) {
    const url = base + path + "?" + new URLSearchParams(params).toString();
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.detail || ("HTTP " + response.status));
          return body;
        });
      });
  }

  function kindOf(node) { return node.split(":", 1)[0]; }
  function keyOf(node) { return node.slice(node.indexOf(":") + 1); }

  function addNode(node, extra) {
    const kind = kindOf(node);
    if (cy.getElementById(node).nonempty()) {
      if (extra && extra.risk != null) cy.getElementById(node).data("risk", extra.risk);
      return;
    }
    let label = (extra && extra.name) || keyOf(node);
    if (kind === "shipment") label = "shipment " + keyOf(node);
    cy.add({ group: "nodes", data: { id: node, kind: kind, label: label, risk: (extra && extra.risk) || 0 },
             classes: kind === "entity" ? "entity" : (kind === "shipment" ? "shipment" : "identifier") });
  }

  function addEdge(a, b, count) {
    const id = a < b ? a + "|" + b : b + "|" + a;
    if (cy.getElementById(id).nonempty()) return;
    cy.add({ group: "edges", data: { id: id, source: a, target: b, count: count || 1 } });
  }

  function layout() {
    cy.layout({ name: "cose", animate: false, nodeDimensionsIncludeLabels: true, randomize: false }).run();
  }

  function element(tag, text, attributes) {
    const made = document.createElement(tag);
    if (text != null) made.textContent = String(text);
    Object.entries(attributes || {}).forEach(function (pair) { made.setAttribute(pair[0], pair[1]); });
    return made;
  }

  function panel(id, title, children) {
    const target = document.getElementById(id);
    target.replaceChildren(element("h3", title));
    children.forEach(function (child) { target.appendChild(child); });
  }

  function problem(id, title, error) {
    panel(id, title, [element("p", error.message, { "class": "errors", "role": "alert" })]);
  }

  function table(headers, rows) {
    const t = element("table");
    const head = element("tr");
    headers.forEach(function (h) { head.appendChild(element("th", h, { scope: "col" })); });
    t.appendChild(element("thead")).appendChild(head);
    const body = t.appendChild(element("tbody"));
    rows.forEach(function (cells) {
      const tr = body.appendChild(element("tr"));
      cells.forEach(function (cell) {
        const td = tr.appendChild(element("td"));
        if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell == null ? "" : String(cell);
      });
    });
    return t;
  }

  function shipmentLink(sid, text) {
    return element("a", text || sid, { href: "/app/shipments/" + sid });
  }

  function expand(node) {
    return getJSON("node", { node: node, limit: 30 }).then(function (answer) {
      addNode(answer.node, answer);
      answer.neighbours.forEach(function (n) {
        addNode(n.node, n);
        addEdge(answer.node, n.node, n.count);
      });
      expanded.add(answer.node);
      cy.getElementById(answer.node).addClass("expanded");
      layout();
      showNode(answer);
    });
  }

  function showNode(answer) {
    const rows = [
      element("p", answer.node + " · " + answer.kind + (answer.risk != null ? " · risk " + answer.risk.toFixed(3) : "")),
      element("p", answer.neighbours.length + " neighbours shown"),
    ];
    if (answer.kind === "shipment") rows.push(shipmentLink(keyOf(answer.node), "Open shipment " + keyOf(answer.node)));
    if (answer.network) rows.push(element("a", "Network N" + answer.network, { href: "/app/network/networks/" + answer.network }));
    // The same moves as on the canvas, as buttons: for keyboards and screen readers.
    const list = element("ul", null, { "class": "neighbours" });
    answer.neighbours.forEach(function (n) {
      const item = list.appendChild(element("li"));
      const grow = item.appendChild(element("button", "Expand " + n.node, { type: "button", "class": "secondary outline" }));
      grow.addEventListener("click", function () { expand(n.node).catch(function (e) { problem("node-panel", "Node", e); }); });
      const edge = cy.getElementById(answer.node < n.node ? answer.node + "|" + n.node : n.node + "|" + answer.node);
      if (edge.nonempty() && (answer.kind === "entity" || n.kind === "entity")) {
        const why = item.appendChild(element("button", "What is behind the link to " + n.node, { type: "button", "class": "secondary outline" }));
        why.addEventListener("click", function () { showLink(edge); });
      }
    });
    rows.push(list);
    panel("node-panel", "Node", rows);
  }

  function showLink(edge) {
    const a = edge.data("source"), b = edge.data("target");
    const entity = kindOf(a) === "entity" ? a : (kindOf(b) === "entity" ? b : null);
    if (!entity) return;
    const other = entity === a ? b : a;
    getJSON("link", { entity: keyOf(entity), node: other }).then(function (answer) {
      const rows = answer.parties.map(function (p) {
        const found = p.exams.map(function (x) { return x.finding || x.result; }).filter(Boolean);
        return [shipmentLink(p.shipment, p.house_bill), p.role, p.name, (p.received_at || "").slice(0, 10),
                found.length ? found.join(", ") : "not examined"];
      });
      panel("link-panel", "Link " + entity + " — " + other, [
        element("p", rows.length + " party records behind this link"),
        table(["Shipment", "Role", "Name", "Filed", "Findings"], rows),
      ]);
    }).catch(function (error) { problem("link-panel", "Link", error); });
  }

  cy.on("tap", "node", function (event) {
    const node = event.target.id();
    if (expanded.has(node)) {
      getJSON("node", { node: node, limit: 30 }).then(showNode).catch(function (e) { problem("node-panel", "Node", e); });
    } else {
      expand(node).catch(function (e) { problem("node-panel", "Node", e); });
    }
  });
  cy.on("tap", "edge", function (event) { showLink(event.target); });

  const start = container.dataset.node;
  const network = container.dataset.network;
  if (network) {
    getJSON("network", { id: network }).then(function (answer) {
      answer.members.forEach(function (m) { addNode(m.node, m); });
      answer.evidence.forEach(function (e) {
        addNode(e.shared, {});
        e.entities.forEach(function (x) { addNode("entity:" + x, {}); addEdge(e.shared, "entity:" + x, 1); });
      });
      layout();
    }).catch(function (e) { problem("node-panel", "Node", e); });
  } else if (start) {
    expand(start).catch(function (e) { problem("node-panel", "Node", e); });
  }
  // The graph's size as plain attributes (read by the browser tests).
  cy.on("add remove", function () {
    container.dataset.nodes = String(cy.nodes().length);
    container.dataset.edges = String(cy.edges().length);
  });
})();
