//! The OpenAPI document and its reference page.

use axum::response::Html;
use axum::Json;

pub fn document() -> serde_json::Value {
    serde_json::json!({})
}

pub async fn serve() -> Json<serde_json::Value> {
    Json(document())
}

pub async fn docs_page() -> Html<&'static str> {
    Html("")
}
