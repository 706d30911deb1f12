//! The stylesheet, embedded in the binary so that it serves from any working directory.

use axum::extract::Path;
use axum::http::header;
use axum::response::IntoResponse;

use crate::error::AppError;

const APP_CSS: &str = include_str!("../../../../static/app.css");

pub async fn serve_asset(Path(file): Path<String>) -> Result<impl IntoResponse, AppError> {
    match file.as_str() {
        "app.css" => Ok((
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            APP_CSS,
        )),
        _ => Err(AppError::NotFound),
    }
}
