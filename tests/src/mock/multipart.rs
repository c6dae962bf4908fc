//! A small `multipart/form-data` reader: enough to check what a client sends.

/// One field of a form: a text value or a file.
#[derive(Clone, Debug)]
pub(crate) struct FormPart {
    pub name: String,
    /// Set for file parts (`filename=` in `Content-Disposition`).
    pub file_name: Option<String>,
    pub data: Vec<u8>,
}

/// The boundary of a `multipart/form-data; boundary=…` content type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("boundary")).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// Splits a multipart body into its parts.
pub(crate) fn parse(body: &[u8], boundary: &str) -> Result<Vec<FormPart>, String> {
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    let mut pos = find(body, delimiter.as_bytes(), 0).ok_or("no opening boundary")? + delimiter.len();
    let mut parts = Vec::new();
    loop {
        if body[pos..].starts_with(b"--") {
            return Ok(parts);
        }
        if !body[pos..].starts_with(b"\r\n") {
            return Err("a boundary is not followed by CRLF".into());
        }
        pos += 2;
        let head_end = find(body, b"\r\n\r\n", pos).ok_or("a part has no end of headers")?;
        let head = String::from_utf8_lossy(&body[pos..head_end]).into_owned();
        let data_start = head_end + 4;
        let data_end = find(body, next_delimiter.as_bytes(), data_start).ok_or("a part is not closed by a boundary")?;
        let mut name = None;
        let mut file_name = None;
        for line in head.split("\r\n") {
            let Some((h, v)) = line.split_once(':') else { continue };
            if !h.trim().eq_ignore_ascii_case("content-disposition") {
                continue;
            }
            for param in v.split(';').skip(1) {
                let Some((k, v)) = param.split_once('=') else { continue };
                let v = v.trim().trim_matches('"').to_owned();
                match k.trim() {
                    "name" => name = Some(v),
                    "filename" => file_name = Some(v),
                    _ => {}
                }
            }
        }
        let name = name.ok_or_else(|| format!("a part has no name (headers: {head:?})"))?;
        parts.push(FormPart { name, file_name, data: body[data_start..data_end].to_vec() });
        pos = data_end + next_delimiter.len();
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() {
        return None;
    }
    hay[from..].windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_text_and_file_parts() {
        let body = b"--XYZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nmy-image.png\r\n\
--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--XYZ--\r\n";
        let parts = parse(body, "XYZ").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "name");
        assert_eq!(parts[0].data, b"my-image.png");
        assert_eq!(parts[1].file_name.as_deref(), Some("a.png"));
        assert_eq!(parts[1].data, b"\x89PNG");
        assert_eq!(boundary("multipart/form-data; boundary=XYZ").as_deref(), Some("XYZ"));
        assert!(parse(b"garbage", "XYZ").is_err());
    }
}
