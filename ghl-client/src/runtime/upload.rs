//! File contents for multipart uploads.
//!
//! The size limit an endpoint documents (25 MB, 500 MB for video) is checked
//! before anything is sent: from the length of bytes in memory, the size of a
//! file on disk, or the length declared with a stream. A stream of unknown
//! length is cut off with an error as soon as it passes the limit.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt};

use crate::Error;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type ByteStream = futures::stream::BoxStream<'static, Result<Bytes, BoxError>>;

/// A file to upload, from memory, from disk, or from a stream.
///
/// ```
/// use ghl_client::Upload;
/// let logo = Upload::from_bytes("logo.png", vec![0x89, b'P', b'N', b'G']).mime("image/png");
/// assert_eq!(logo.file_name(), "logo.png");
/// assert_eq!(logo.len(), Some(4));
/// ```
#[derive(Clone, Debug)]
pub struct Upload {
    pub(crate) source: UploadSource,
    pub(crate) file_name: String,
    pub(crate) mime: Option<String>,
}

#[derive(Clone)]
pub(crate) enum UploadSource {
    Bytes(Bytes),
    Path(PathBuf),
    /// Taken on the first send: a stream cannot be sent twice.
    Stream {
        stream: Arc<Mutex<Option<ByteStream>>>,
        length: Option<u64>,
    },
}

impl fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UploadSource::Bytes(b) => f.debug_tuple("Bytes").field(&b.len()).finish(),
            UploadSource::Path(p) => f.debug_tuple("Path").field(p).finish(),
            UploadSource::Stream { length, .. } => {
                f.debug_struct("Stream").field("length", length).finish_non_exhaustive()
            }
        }
    }
}

impl Upload {
    /// An upload of bytes already in memory.
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Upload { source: UploadSource::Bytes(bytes.into()), file_name: file_name.into(), mime: None }
    }

    /// An upload read from a file when the request is sent (streamed, not
    /// loaded into memory). The file name sent is the path's last component.
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".to_owned());
        Upload { source: UploadSource::Path(path), file_name, mime: None }
    }

    /// An upload from a stream of chunks. Give `length` when it is known so
    /// that the size limit is checked before sending. A stream is sent at
    /// most once: a call that uploads one is not retried.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use ghl_client::Upload;
    /// let chunks = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"hello ")), Ok(Bytes::from_static(b"world"))]);
    /// let upload = Upload::from_stream("greeting.txt", chunks, Some(11)).mime("text/plain");
    /// assert_eq!(upload.len(), Some(11));
    /// ```
    pub fn from_stream<S, E>(file_name: impl Into<String>, stream: S, length: Option<u64>) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        let stream: ByteStream = stream.map_err(Into::into).boxed();
        Upload {
            source: UploadSource::Stream { stream: Arc::new(Mutex::new(Some(stream))), length },
            file_name: file_name.into(),
            mime: None,
        }
    }

    /// Sets the MIME type sent with the part (by default it is guessed from
    /// the file name, see [`Upload::content_type`]).
    pub fn mime(mut self, mime: impl Into<String>) -> Self {
        self.mime = Some(mime.into());
        self
    }

    /// The file name sent with the part.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The size when known without reading (bytes, or a declared stream length).
    pub fn len(&self) -> Option<u64> {
        match &self.source {
            UploadSource::Bytes(b) => Some(b.len() as u64),
            UploadSource::Path(_) => None,
            UploadSource::Stream { length, .. } => *length,
        }
    }

    /// True for an upload of zero bytes held in memory.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Whether the upload can be sent again (not a stream).
    pub(crate) fn is_replayable(&self) -> bool {
        !matches!(self.source, UploadSource::Stream { .. })
    }

    /// The multipart part, after checking `max_bytes`.
    pub(crate) async fn to_part(
        &self,
        operation: &'static str,
        max_bytes: Option<u64>,
    ) -> Result<reqwest::multipart::Part, Error> {
        let too_large = |size: u64, max: u64| Error::InvalidArgument {
            operation,
            message: format!("`{}` is {size} bytes; this endpoint accepts at most {max} bytes", self.file_name),
        };
        let check = |size: u64| match max_bytes {
            Some(max) if size > max => Err(too_large(size, max)),
            _ => Ok(()),
        };
        let part = match &self.source {
            UploadSource::Bytes(b) => {
                check(b.len() as u64)?;
                reqwest::multipart::Part::stream_with_length(reqwest::Body::from(b.clone()), b.len() as u64)
            }
            UploadSource::Path(p) => {
                let unreadable = |e: std::io::Error| Error::InvalidArgument {
                    operation,
                    message: format!("could not read `{}`: {e}", p.display()),
                };
                let meta = tokio::fs::metadata(p).await.map_err(unreadable)?;
                if !meta.is_file() {
                    return Err(Error::InvalidArgument {
                        operation,
                        message: format!("`{}` is not a regular file", p.display()),
                    });
                }
                check(meta.len())?;
                let file = tokio::fs::File::open(p).await.map_err(unreadable)?;
                reqwest::multipart::Part::stream_with_length(file, meta.len())
            }
            UploadSource::Stream { stream, length } => {
                if let Some(len) = length {
                    check(*len)?;
                }
                let taken = stream.lock().unwrap_or_else(|e| e.into_inner()).take();
                let Some(stream) = taken else {
                    return Err(Error::InvalidArgument {
                        operation,
                        message: format!(
                            "the stream of `{}` was already sent; a stream can be uploaded once",
                            self.file_name
                        ),
                    });
                };
                let body = reqwest::Body::wrap_stream(limit_stream(stream, max_bytes));
                match length {
                    Some(len) => reqwest::multipart::Part::stream_with_length(body, *len),
                    None => reqwest::multipart::Part::stream(body),
                }
            }
        };
        let part = part.file_name(self.file_name.clone());
        let mime = self.content_type();
        part.mime_str(&mime).map_err(|e| Error::encode(operation, format!("invalid MIME type `{mime}`: {e}")))
    }

    /// The part's Content-Type: the one set with [`Upload::mime`], else
    /// guessed from the file name's extension, else `application/octet-stream`
    /// (a part without one leaves the server to guess what the file is).
    pub fn content_type(&self) -> String {
        match &self.mime {
            Some(mime) => mime.clone(),
            None => mime_guess::from_path(&self.file_name).first_or_octet_stream().essence_str().to_owned(),
        }
    }
}

/// Ends `stream` with an error once more than `max` bytes went through.
fn limit_stream(stream: ByteStream, max: Option<u64>) -> ByteStream {
    let Some(max) = max else { return stream };
    let mut seen = 0u64;
    stream
        .map(move |chunk| {
            let chunk = chunk?;
            seen = seen.saturating_add(chunk.len() as u64);
            if seen > max {
                return Err(format!("the upload passed this endpoint's limit of {max} bytes").into());
            }
            Ok(chunk)
        })
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_type_is_guessed_from_the_file_name_unless_set() {
        assert_eq!(Upload::from_bytes("logo.png", vec![1]).content_type(), "image/png");
        assert_eq!(Upload::from_path("/tmp/contacts.CSV").content_type(), "text/csv");
        assert_eq!(Upload::from_bytes("clip.mp4", vec![1]).content_type(), "video/mp4");
        assert_eq!(Upload::from_bytes("no-extension", vec![1]).content_type(), "application/octet-stream");
        assert_eq!(Upload::from_bytes("x.unknownext", vec![1]).content_type(), "application/octet-stream");
        assert_eq!(Upload::from_bytes("logo.png", vec![1]).mime("image/webp").content_type(), "image/webp");
    }

    #[tokio::test]
    async fn limits_are_checked_before_reading() {
        let big = Upload::from_bytes("a.bin", vec![0u8; 11]);
        let e = big.to_part("op", Some(10)).await.unwrap_err();
        assert!(e.to_string().contains("`a.bin` is 11 bytes; this endpoint accepts at most 10 bytes"), "{e}");
        assert!(big.to_part("op", Some(11)).await.is_ok());

        let declared =
            Upload::from_stream("s.bin", futures::stream::empty::<Result<Bytes, std::io::Error>>(), Some(100));
        assert!(declared.to_part("op", Some(10)).await.is_err());

        let missing = Upload::from_path("/definitely/not/here.png");
        assert!(missing.to_part("op", None).await.unwrap_err().to_string().contains("could not read"));
    }

    #[tokio::test]
    async fn a_stream_is_sent_once_and_cut_at_the_limit() {
        let chunks = futures::stream::iter((0..5).map(|_| Ok::<_, std::io::Error>(Bytes::from_static(b"0123456789"))));
        let up = Upload::from_stream("s.bin", chunks, None);
        assert!(!up.is_replayable());
        up.to_part("op", Some(25)).await.unwrap();
        assert!(up.to_part("op", Some(25)).await.unwrap_err().to_string().contains("already sent"));

        let chunks = futures::stream::iter((0..5).map(|_| Ok::<_, BoxError>(Bytes::from_static(b"0123456789"))));
        let results: Vec<_> = limit_stream(chunks.boxed(), Some(25)).collect().await;
        assert!(results[..2].iter().all(Result::is_ok));
        assert!(results[2].is_err());
    }
}
