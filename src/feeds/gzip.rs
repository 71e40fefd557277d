//! Gzip for what is kept compressed: an LDES page that never changes is compressed once,
//! when it is rendered, and then sent as it is kept. The compression layer in front of the
//! routes would otherwise compress it again for every client that accepts gzip, which cost
//! more than all the rest of serving a cached page. The encoder is flate2, the one under
//! that layer.
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;

/// `bytes`, gzip-compressed; None if the encoder failed (then the bytes go out as they are,
/// and the layer compresses them as it does everything else).
pub fn compress(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 8), Compression::default());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compresses_to_gzip() {
        let text = "<http://x.se/a> <http://x.se/p> \"v\" <http://x.se/g> .\n".repeat(1000);
        let packed = compress(text.as_bytes()).expect("compressed");
        assert!(packed.starts_with(&[0x1f, 0x8b]), "gzip magic");
        assert!(packed.len() * 20 < text.len());
        let mut unpacked = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&packed[..]),
            &mut unpacked,
        )
        .unwrap();
        assert_eq!(unpacked, text);
    }
}
