//! Tool input schemas, read from the OpenAPI document the handlers'
//! annotations generate: a tool's arguments are the REST operation's path
//! and query parameters and its JSON body's fields, side by side in one
//! object. So the schema an agent sees over MCP is the one the REST API
//! documents, from one source; nothing here restates a field.

use serde_json::{Map, Value, json};

/// Where the document keeps its named schemas.
const COMPONENTS: &str = "#/components/schemas/";

/// The idempotency key argument of the tools that take one.
pub struct KeyArgument {
    /// Whether a call must give one.
    pub required: bool,
    /// What it does, for the schema's description.
    pub description: &'static str,
}

/// The input schema of operation `operation_id` in `doc` (the OpenAPI
/// document as JSON), with `key` added when given; `None` when the
/// document has no such operation.
pub fn input_schema(
    doc: &Value,
    operation_id: &str,
    key: Option<KeyArgument>,
) -> Option<Map<String, Value>> {
    let op = operation(doc, operation_id)?;
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    // Without a body the arguments are the parameters, no others; a body
    // says itself whether it takes fields it does not name.
    let mut additional = Some(Value::Bool(false));
    for p in op["parameters"].as_array().into_iter().flatten() {
        // Headers (`Idempotency-Key`) are HTTP's; the key is an argument.
        let place = p["in"].as_str().unwrap_or("");
        if place != "path" && place != "query" {
            continue;
        }
        let Some(name) = p["name"].as_str() else {
            continue;
        };
        let mut schema = p["schema"].clone();
        if let (Some(s), Some(d)) = (schema.as_object_mut(), p.get("description")) {
            s.entry("description").or_insert_with(|| d.clone());
        }
        properties.insert(name.to_string(), schema);
        if place == "path" || p["required"] == json!(true) {
            required.push(json!(name));
        }
    }
    let body = &op["requestBody"]["content"]["application/json"]["schema"];
    if !body.is_null() {
        let body = resolve(doc, body);
        if let Some(fields) = body["properties"].as_object() {
            for (name, schema) in fields {
                properties.insert(name.clone(), schema.clone());
            }
        }
        for name in body["required"].as_array().into_iter().flatten() {
            required.push(name.clone());
        }
        additional = body.get("additionalProperties").cloned();
    }
    if let Some(key) = key {
        properties.insert(
            "idempotency_key".into(),
            json!({
                "type": "string",
                "minLength": 1,
                "maxLength": 255,
                "description": key.description,
            }),
        );
        if key.required {
            required.push(json!("idempotency_key"));
        }
    }
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    let mut properties = Value::Object(properties);
    let defs = definitions(doc, &mut properties);
    schema.insert("properties".into(), properties);
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    if let Some(additional) = additional {
        schema.insert("additionalProperties".into(), additional);
    }
    if !defs.is_empty() {
        schema.insert("$defs".into(), Value::Object(defs));
    }
    Some(schema)
}

/// The operation with `operation_id`.
fn operation<'d>(doc: &'d Value, operation_id: &str) -> Option<&'d Value> {
    doc["paths"]
        .as_object()?
        .values()
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .find(|op| op["operationId"] == operation_id)
}

/// `schema`, or the named schema it refers to.
fn resolve<'d>(doc: &'d Value, schema: &'d Value) -> &'d Value {
    match schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix(COMPONENTS))
    {
        Some(name) => &doc["components"]["schemas"][name],
        None => schema,
    }
}

/// Points every reference in `schema` at `$defs` and returns the named
/// schemas they need (and those need, in turn).
fn definitions(doc: &Value, schema: &mut Value) -> Map<String, Value> {
    let mut defs = Map::new();
    let mut wanted = Vec::new();
    rewrite(schema, &mut wanted);
    while let Some(name) = wanted.pop() {
        if defs.contains_key(&name) {
            continue;
        }
        let mut def = doc["components"]["schemas"][&name].clone();
        rewrite(&mut def, &mut wanted);
        defs.insert(name, def);
    }
    defs
}

/// Rewrites `#/components/schemas/X` to `#/$defs/X` throughout `v`,
/// noting each `X`.
fn rewrite(v: &mut Value, wanted: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && let Some(name) = r.strip_prefix(COMPONENTS).map(str::to_string)
            {
                *r = format!("#/$defs/{name}");
                wanted.push(name);
            }
            map.values_mut().for_each(|x| rewrite(x, wanted));
        }
        Value::Array(items) => items.iter_mut().for_each(|x| rewrite(x, wanted)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({
            "paths": {"/t/{id}/x": {"post": {
                "operationId": "things_x",
                "parameters": [
                    {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "The thing"},
                    {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}}
                ],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Body"}}}}
            }}},
            "components": {"schemas": {
                "Body": {"type": "object", "required": ["part"], "properties": {"part": {"$ref": "#/components/schemas/Part"}}},
                "Part": {"type": "object", "properties": {"inner": {"$ref": "#/components/schemas/Inner"}}},
                "Inner": {"type": "string"},
                "Unused": {"type": "string"}
            }}
        })
    }

    #[test]
    fn parameters_and_body_fields_make_one_object_with_its_definitions() {
        let s = input_schema(
            &doc(),
            "things_x",
            Some(KeyArgument {
                required: true,
                description: "once",
            }),
        )
        .unwrap();
        let s = Value::Object(s);
        assert_eq!(s["type"], "object");
        assert_eq!(
            s["required"],
            json!(["id", "part", "idempotency_key"]),
            "{s}"
        );
        assert_eq!(s["properties"]["id"]["description"], "The thing");
        assert!(s["properties"].get("Idempotency-Key").is_none());
        assert_eq!(s["properties"]["limit"]["type"], "integer");
        assert_eq!(s["properties"]["part"]["$ref"], "#/$defs/Part");
        assert_eq!(
            s["$defs"]["Part"]["properties"]["inner"]["$ref"],
            "#/$defs/Inner"
        );
        assert_eq!(s["$defs"]["Inner"]["type"], "string");
        assert!(s["$defs"].get("Unused").is_none());
        assert!(s.get("additionalProperties").is_none());
        assert!(input_schema(&doc(), "nope", None).is_none());
    }
}
