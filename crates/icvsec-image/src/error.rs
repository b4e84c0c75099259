//! Why an image could not be read, and what was odd about one that could.

use std::fmt;

/// An image that could not be read (or a bound that was reached). `path` names the image
/// (and the image inside it, `outer.img!/inner.tar`), `place` the spot in it (a byte
/// offset, an entry name, a chunk number).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageError {
    pub path: String,
    pub place: String,
    pub message: String,
}

impl ImageError {
    pub fn new(path: &str, place: impl Into<String>, message: impl Into<String>) -> ImageError {
        ImageError {
            path: path.to_string(),
            place: place.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.place.is_empty() {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(f, "{}: {}: {}", self.path, self.place, self.message)
        }
    }
}

impl std::error::Error for ImageError {}

/// Something an extraction tool would have done differently or dangerously (an entry
/// named `../x` or `/etc/x`, a duplicate, a link to a missing entry): the image is still
/// read, with the entry kept inside the image root, and the problem is reported.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// The entry as written in the image (escaped), or a byte offset.
    pub place: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}
