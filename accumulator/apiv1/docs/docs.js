// A small renderer of /api/v1/openapi.json: every operation with its parameters, body, answers
// and errors, and each schema shown as a JSON-like outline. No dependencies, nothing from a CDN.
"use strict";

(function () {
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    for (const child of children) node.append(child);
    return node;
  };
  let schemas = {};

  const deref = (schema) => {
    let seen = 0;
    while (schema && schema.$ref && seen++ < 20) schema = schemas[schema.$ref.split("/").pop()];
    return schema || {};
  };

  const typeOf = (schema) => {
    schema = schema || {};
    if (schema.$ref) return schema.$ref.split("/").pop();
    if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
    if (schema.const !== undefined) return JSON.stringify(schema.const);
    if (schema.anyOf) return schema.anyOf.map(typeOf).join(" | ");
    if (schema.type === "array") return typeOf(schema.items) + "[]";
    let text = schema.type || "any";
    if (schema.format) text += ` (${schema.format})`;
    return text;
  };

  const limits = (schema) => {
    const parts = [];
    for (const key of ["minLength", "maxLength", "minimum", "maximum", "maxItems", "pattern"]) {
      if (schema[key] !== undefined) parts.push(`${key} ${schema[key]}`);
    }
    if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`);
    return parts.join(", ");
  };

  // An object schema as a table of its fields, nested objects one level further down.
  const outline = (schema, depth) => {
    schema = deref(schema);
    if (schema.type !== "object" || !schema.properties) return el("p", {}, el("code", {}, typeOf(schema)));
    const required = new Set(schema.required || []);
    const rows = Object.entries(schema.properties).map(([name, prop]) => {
      const inner = prop.items || prop;
      const nested = depth < 3 && deref(inner).properties ? outline(inner, depth + 1) : "";
      return el("tr", {},
        el("td", {}, el("code", {}, name), required.has(name) ? "" : el("span", { class: "muted" }, " optional")),
        el("td", {}, el("code", {}, typeOf(prop)), nested),
        el("td", {}, prop.description || deref(prop).description || "", el("div", { class: "muted" }, limits(prop))));
    });
    return el("table", {}, el("tr", {}, el("th", {}, "field"), el("th", {}, "type"), el("th", {}, "about")), ...rows);
  };

  const operation = (path, method, op) => {
    const body = el("div", {});
    if (op.description) body.append(el("p", {}, op.description));
    const params = op.parameters || [];
    if (params.length) {
      body.append(el("h4", {}, "Parameters"), el("table", {},
        el("tr", {}, el("th", {}, "name"), el("th", {}, "in"), el("th", {}, "type"), el("th", {}, "about")),
        ...params.map((p) => el("tr", {},
          el("td", {}, el("code", {}, p.name), p.required ? "" : el("span", { class: "muted" }, " optional")),
          el("td", {}, p.in), el("td", {}, el("code", {}, typeOf(p.schema))),
          el("td", {}, p.description || "", el("div", { class: "muted" }, limits(p.schema || {})))))));
    }
    if (op.requestBody) {
      const [type, media] = Object.entries(op.requestBody.content)[0];
      body.append(el("h4", {}, `Body (${type})`), outline(media.schema, 0));
    }
    body.append(el("h4", {}, "Answers"));
    for (const [status, answer] of Object.entries(op.responses)) {
      const media = answer.content && answer.content["application/json"];
      body.append(el("p", {}, el("strong", {}, status), " ", answer.description));
      if (media && status < "400") body.append(outline(media.schema, 0));
    }
    body.append(el("pre", {}, `curl -H "Authorization: Bearer $TOKEN" ${method === "get" ? "" : "-X " + method.toUpperCase() + " "}` +
      `${location.origin}${path}` + (op.requestBody && op.requestBody.content["application/json"] ? " \\\n  -H 'Content-Type: application/json' -d '{…}'" : "")));
    return el("details", { class: "op", id: op.operationId },
      el("summary", {}, el("span", { class: `method ${method}` }, method), el("code", {}, path),
        el("span", {}, op.summary), el("span", { class: "scope" }, method === "get" ? "read token" : "write token")),
      body);
  };

  const render = (spec) => {
    schemas = (spec.components || {}).schemas || {};
    const main = document.getElementById("api");
    const toc = document.getElementById("toc");
    main.replaceChildren(el("p", {}, spec.info.description));
    const tags = {};
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(methods)) (tags[op.tags[0]] = tags[op.tags[0]] || []).push([path, method, op]);
    }
    for (const [tag, ops] of Object.entries(tags)) {
      toc.append(el("a", { href: `#tag-${tag}` }, tag));
      main.append(el("section", { class: "tag", id: `tag-${tag}` }, el("h2", {}, tag), ...ops.map((o) => operation(...o))));
    }
    main.append(el("section", { class: "tag" }, el("h2", {}, "Errors"), outline({ $ref: "#/components/schemas/ErrorAnswer" }, 0)));
  };

  fetch("/api/v1/openapi.json")
    .then((answer) => answer.json())
    .then(render)
    .catch((error) => document.getElementById("api").replaceChildren(el("p", {}, `Could not load the description: ${error}`)));
})();
