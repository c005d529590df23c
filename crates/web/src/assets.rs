//! Static files compiled into the binary, so one file deploys the platform
//! and nothing is fetched from elsewhere at run time.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        path: "accord.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../assets/accord.css"),
    },
    Asset {
        path: "api-docs.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/api-docs.js"),
    },
    Asset {
        path: "favicon.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("../assets/favicon.svg"),
    },
    Asset {
        path: "copy.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/copy.js"),
    },
    Asset {
        path: "confirm.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/confirm.js"),
    },
    Asset {
        path: "menu.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/menu.js"),
    },
    Asset {
        path: "sign-decision.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/sign-decision.js"),
    },
    Asset {
        path: "vendor/swagger-ui/swagger-ui-bundle.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/vendor/swagger-ui/swagger-ui-bundle.js"),
    },
    Asset {
        path: "vendor/swagger-ui/swagger-ui.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../assets/vendor/swagger-ui/swagger-ui.css"),
    },
];

pub async fn serve(Path(path): Path<String>) -> Result<Response, WebError> {
    let asset = ASSETS
        .iter()
        .find(|a| a.path == path)
        .ok_or_else(|| WebError::NotFound(format!("/static/{path}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        asset.body,
    )
        .into_response())
}
