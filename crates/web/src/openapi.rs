//! The OpenAPI 3.1 document of `/api/v1`, generated from the route table so that it lists
//! exactly the routes the server has, with the roles each accepts.

use serde_json::{Map, Value, json};

use crate::routes::{Access, route_table};

pub fn document() -> Value {
    let mut paths = Map::new();
    for route in route_table()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/"))
    {
        let roles: Vec<&str> = route.access.roles().iter().map(|r| r.code()).collect();
        let mut operation = json!({
            "summary": route.summary,
            "x-roles": roles,
            "x-medical": route.medical,
            "responses": {
                "200": {"description": "Succès", "content": {"application/json": {}}},
                "401": {"$ref": "#/components/responses/Problem"},
                "403": {"$ref": "#/components/responses/Problem"},
            }
        });
        if route.access == Access::Public {
            operation["security"] = json!([]);
        }
        let entry = paths
            .entry(route.path.to_string())
            .or_insert_with(|| json!({}));
        entry[route.method.to_ascii_lowercase()] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "API SPSTI",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "API du logiciel de service de prévention et de santé au travail. Authentification par jeton d'accès personnel (Authorization: Bearer …) ou session du navigateur. Les erreurs sont des documents application/problem+json en français."
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "spsti_session"}
            },
            "responses": {
                "Problem": {
                    "description": "Erreur (RFC 9457)",
                    "content": {"application/problem+json": {"schema": {
                        "type": "object",
                        "properties": {
                            "type": {"type": "string"}, "title": {"type": "string"},
                            "status": {"type": "integer"}, "detail": {"type": "string"},
                            "field": {"type": "string"}
                        }
                    }}}
                }
            }
        }
    })
}
