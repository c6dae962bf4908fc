//! Upload a file to the media library (SKILL.md "Upload File Example"):
//! `POST /medias/upload-file` (multipart).
//!
//! SKILL.md also sends a `locationId` form field, which HighLevel's doc does
//! not list: the token names the location. Files are limited to 25 MB
//! (500 MB for videos); the client refuses bigger ones before sending. Needs
//! the cargo feature `medias`; reads `GHL_API_KEY` and optionally
//! `GHL_UPLOAD_FILE` (a path; a tiny built-in PNG otherwise):
//!
//! ```text
//! GHL_UPLOAD_FILE=./logo.png cargo run -p ghl-client --example upload_media --features medias
//! ```

use ghl_client::medias::UploadMediaFileRequest;
use ghl_client::{Client, Error, Upload};

/// A 1×1 transparent PNG.
const PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Uploads the file and prints the stored file's id.
pub async fn run(client: &Client) -> Result<(), Error> {
    let (upload, name) = match std::env::var("GHL_UPLOAD_FILE") {
        Ok(path) => {
            let name = std::path::Path::new(&path)
                .file_name()
                .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
            (Upload::from_path(path), name)
        }
        Err(_) => (Upload::from_bytes("my-image.png", PIXEL_PNG.to_vec()).mime("image/png"), "my-image.png".to_owned()),
    };
    let body = UploadMediaFileRequest::new().file(upload).name(name.clone());
    let stored = client.medias().upload_media_file(body).send().await?;
    println!("uploaded {name} as file {}", stored.file_id.as_deref().unwrap_or("?"));
    Ok(())
}
