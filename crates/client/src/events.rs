//! Decode Anchor events from transaction logs.

use anchor_lang::{AnchorDeserialize, Discriminator, Event};

/// Every event of type `E` in `logs`, in order. Accepts both `Program data: <b64>` (SBF) and
/// `Program log: Program data: <b64>` (programs running natively, see `program_utils::emit`).
pub fn parse_events<E: Event + AnchorDeserialize + Discriminator>(logs: &[String]) -> Vec<E> {
    use anchor_lang::__private::base64::{engine::general_purpose::STANDARD, Engine as _};
    logs.iter()
        .filter_map(|line| {
            let b64 = line.strip_prefix("Program log: Program data: ").or_else(|| line.strip_prefix("Program data: "))?;
            let bytes = STANDARD.decode(b64.trim()).ok()?;
            let disc = E::DISCRIMINATOR;
            if bytes.len() < disc.len() || &bytes[..disc.len()] != disc {
                return None;
            }
            E::deserialize(&mut &bytes[disc.len()..]).ok()
        })
        .collect()
}
