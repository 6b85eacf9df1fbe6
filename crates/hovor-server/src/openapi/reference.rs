//! `GET /api/docs`: a readable reference rendered from the OpenAPI document,
//! served from the binary (no CDN, no script).

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A schema as a short type name: `Session`, `array of Message`, `string`.
fn type_name(schema: &serde_json::Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(|v| v.as_str()) {
        let name = r.rsplit('/').next().unwrap_or(r);
        return format!("<a href=\"#schema-{0}\">{0}</a>", esc(name));
    }
    if let Some(items) = schema.get("items") {
        return format!("array of {}", type_name(items));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(list) = schema.get(key).and_then(|v| v.as_array()) {
            let names: Vec<String> = list.iter().map(type_name).collect();
            return names.join(" | ");
        }
    }
    match schema.get("type") {
        Some(serde_json::Value::String(t)) => esc(t),
        Some(serde_json::Value::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str())
            .map(esc)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "object".into(),
    }
}

fn body_type(content: Option<&serde_json::Value>) -> String {
    content
        .and_then(|c| c.get("application/json"))
        .and_then(|j| j.get("schema"))
        .map(type_name)
        .unwrap_or_default()
}

pub fn render(doc: &serde_json::Value) -> String {
    let mut out = String::new();
    let mut nav = String::new();
    let mut by_tag: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    if let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) {
        for (path, item) in paths {
            let Some(methods) = item.as_object() else {
                continue;
            };
            for (method, op) in methods {
                let tag = op
                    .get("tags")
                    .and_then(|t| t.get(0))
                    .and_then(|t| t.as_str())
                    .unwrap_or("Other")
                    .to_owned();
                let mut html = format!(
                    "<article><h3><span class=\"m m-{m}\">{M}</span> <code>{p}</code></h3>",
                    m = esc(method),
                    M = esc(&method.to_uppercase()),
                    p = esc(path)
                );
                if let Some(d) = op.get("description").and_then(|d| d.as_str()) {
                    html.push_str(&format!("<p>{}</p>", esc(d)));
                }
                if let Some(params) = op.get("parameters").and_then(|p| p.as_array()) {
                    html.push_str(
                        "<table><tr><th>parameter</th><th>in</th><th>type</th><th></th></tr>",
                    );
                    for p in params {
                        html.push_str(&format!(
                            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                            esc(p.get("name").and_then(|v| v.as_str()).unwrap_or("")),
                            esc(p.get("in").and_then(|v| v.as_str()).unwrap_or("")),
                            p.get("schema").map(type_name).unwrap_or_default(),
                            esc(p.get("description").and_then(|v| v.as_str()).unwrap_or("")),
                        ));
                    }
                    html.push_str("</table>");
                }
                if let Some(body) = op.get("requestBody") {
                    html.push_str(&format!(
                        "<p><b>Body:</b> {}</p>",
                        body_type(body.get("content"))
                    ));
                }
                if let Some(responses) = op.get("responses").and_then(|r| r.as_object()) {
                    html.push_str("<ul class=\"responses\">");
                    for (code, r) in responses {
                        html.push_str(&format!(
                            "<li><b>{}</b> {} {}</li>",
                            esc(code),
                            body_type(r.get("content")),
                            esc(r.get("description").and_then(|d| d.as_str()).unwrap_or(""))
                        ));
                    }
                    html.push_str("</ul>");
                }
                html.push_str("</article>");
                by_tag.entry(tag).or_default().push(html);
            }
        }
    }
    for (tag, ops) in &by_tag {
        let anchor = tag.to_lowercase().replace(' ', "-");
        nav.push_str(&format!("<li><a href=\"#{anchor}\">{}</a></li>", esc(tag)));
        out.push_str(&format!(
            "<section id=\"{anchor}\"><h2>{}</h2>{}</section>",
            esc(tag),
            ops.join("")
        ));
    }
    let mut schemas = String::new();
    if let Some(all) = doc
        .pointer("/components/schemas")
        .and_then(|s| s.as_object())
    {
        for (name, schema) in all {
            schemas.push_str(&format!(
                "<article id=\"schema-{0}\"><h3>{0}</h3>",
                esc(name)
            ));
            if let Some(values) = schema.get("enum").and_then(|e| e.as_array()) {
                let list: Vec<String> = values
                    .iter()
                    .filter_map(|v| v.as_str())
                    .map(|v| format!("<code>{}</code>", esc(v)))
                    .collect();
                schemas.push_str(&format!("<p>one of {}</p>", list.join(", ")));
            }
            if let Some(props) = schema.get("properties").and_then(|p| p.as_object()) {
                let required: Vec<&str> = schema
                    .get("required")
                    .and_then(|r| r.as_array())
                    .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
                    .unwrap_or_default();
                schemas.push_str("<table><tr><th>field</th><th>type</th><th></th></tr>");
                for (field, p) in props {
                    schemas.push_str(&format!(
                        "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td></tr>",
                        esc(field),
                        if required.contains(&field.as_str()) {
                            ""
                        } else {
                            " <small>optional</small>"
                        },
                        type_name(p),
                        esc(p.get("description").and_then(|d| d.as_str()).unwrap_or("")),
                    ));
                }
                schemas.push_str("</table>");
            }
            schemas.push_str("</article>");
        }
    }
    let title = esc(doc
        .pointer("/info/title")
        .and_then(|t| t.as_str())
        .unwrap_or("API"));
    let description = esc(doc
        .pointer("/info/description")
        .and_then(|t| t.as_str())
        .unwrap_or(""));
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} reference</title><style>\
         body{{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#111827;background:#f9fafb;display:flex}}\
         nav{{position:sticky;top:0;height:100vh;overflow:auto;width:15rem;padding:1.5rem;background:#fff;border-right:1px solid #e5e7eb;box-sizing:border-box}}\
         nav ul{{list-style:none;padding:0}}nav a{{color:#0f766e;text-decoration:none;line-height:1.9}}\
         main{{flex:1;max-width:60rem;padding:1.5rem 2.5rem}}article{{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:.75rem 1.25rem;margin:.75rem 0}}\
         h3{{font-size:1rem;margin:.25rem 0 .5rem}}code{{font-family:ui-monospace,monospace;font-size:.9em}}\
         .m{{display:inline-block;min-width:4rem;text-align:center;border-radius:6px;padding:.1rem .4rem;font-size:.75rem;color:#fff;background:#6b7280}}\
         .m-get{{background:#0f766e}}.m-post{{background:#2563eb}}.m-put{{background:#b45309}}.m-patch{{background:#7c3aed}}.m-delete{{background:#b91c1c}}\
         table{{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}}td,th{{border-bottom:1px solid #f3f4f6;padding:.25rem .75rem .25rem 0;text-align:left;vertical-align:top}}\
         .responses{{font-size:.9rem;color:#374151}}</style></head><body>\
         <nav><b>{title}</b><ul>{nav}<li><a href=\"#schemas\">Schemas</a></li></ul><p><a href=\"/api/v1/openapi.json\">openapi.json</a></p></nav>\
         <main><h1>{title}</h1><p>{description}</p>{out}<section id=\"schemas\"><h2>Schemas</h2>{schemas}</section></main></body></html>"
    )
}
