//! Pyth `PriceUpdateV2` accounts: building them (tests, demo and backtest write them straight into
//! the in-process bank) and reading them.

use anchor_lang::{AccountDeserialize, AccountSerialize};
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};

pub use pyth_solana_receiver_sdk::ID as PYTH_RECEIVER_ID;

/// The ETH/USD feed id on Pyth.
pub const ETH_USD_FEED_ID: [u8; 32] = [
    0xff, 0x61, 0x49, 0x1a, 0x93, 0x11, 0x12, 0xdd, 0xf1, 0xbd, 0x81, 0x47, 0xcd, 0x1b, 0x64, 0x13, 0x75, 0xf7, 0x9f, 0x58, 0x25, 0x12, 0x6d, 0x66, 0x54, 0x80,
    0x87, 0x46, 0x34, 0xfd, 0x0a, 0xce,
];

/// Pyth's usual exponent for USD prices.
pub const PYTH_EXPO: i32 = -8;

/// One price observation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceObservation {
    pub feed_id: [u8; 32],
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
    pub publish_time: i64,
}

/// Account data (discriminator included) of a fully verified `PriceUpdateV2`.
pub fn price_update_data(obs: &PriceObservation, posted_slot: u64) -> Vec<u8> {
    let update = PriceUpdateV2 {
        write_authority: anchor_lang::prelude::Pubkey::new_from_array([7u8; 32]),
        verification_level: VerificationLevel::Full,
        price_message: PriceFeedMessage {
            feed_id: obs.feed_id,
            price: obs.price,
            conf: obs.conf,
            exponent: obs.expo,
            publish_time: obs.publish_time,
            prev_publish_time: obs.publish_time.saturating_sub(1),
            ema_price: obs.price,
            ema_conf: obs.conf,
        },
        posted_slot,
    };
    let mut data = Vec::with_capacity(PriceUpdateV2::LEN);
    update.try_serialize(&mut data).expect("serialize PriceUpdateV2");
    data.resize(PriceUpdateV2::LEN, 0);
    data
}

/// Decode a `PriceUpdateV2` account's data.
pub fn decode_price_update(data: &[u8]) -> Option<PriceUpdateV2> {
    PriceUpdateV2::try_deserialize(&mut &data[..]).ok()
}

/// Dollars (with 2 decimals, as cents) to a Pyth mantissa at [`PYTH_EXPO`].
pub fn usd_cents_to_mantissa(cents: i64) -> i64 {
    cents * 1_000_000
}
