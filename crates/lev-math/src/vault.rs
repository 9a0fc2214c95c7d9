//! The vault's position: NAV, leverage, and the numbers of a mint or a redemption.

use crate::{mul_div, pro_rata, shares_for_assets_down, to_u64, Price, Round, BPS, VIRTUAL_ASSETS, VIRTUAL_SHARES};

/// What the vault holds and owes, in base units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// Collateral (wrapped ETH) base units.
    pub collateral: u64,
    /// Debt to the lending pool in quote (USDC) base units, interest included.
    pub debt: u64,
}

impl Position {
    pub fn collateral_value(&self, price: Price, round: Round) -> Option<u128> {
        price.value(self.collateral, round)
    }

    /// Collateral value minus debt; negative when the vault is insolvent.
    pub fn equity(&self, price: Price, round: Round) -> Option<i128> {
        let c = i128::try_from(self.collateral_value(price, round)?).ok()?;
        c.checked_sub(self.debt as i128)
    }

    /// NAV = collateral value − debt, or `None` when it is not positive.
    pub fn nav(&self, price: Price, round: Round) -> Option<u128> {
        let e = self.equity(price, round)?;
        if e > 0 {
            Some(e as u128)
        } else {
            None
        }
    }

    /// Leverage (collateral value / NAV) in basis points. `None` when NAV ≤ 0. Rounded as asked; the
    /// programs use `Round::Up` for safety decisions (a vault is never reported safer than it is).
    /// An empty vault has leverage 0.
    pub fn leverage_bps(&self, price: Price, round: Round) -> Option<u64> {
        if self.collateral == 0 && self.debt == 0 {
            return Some(0);
        }
        let c = self.collateral_value(price, Round::Down)?;
        let e = self.nav(price, Round::Down)?;
        to_u64(mul_div(c, BPS as u128, e, round)?)
    }
}

/// NAV per whole token (10^`token_decimals` base units) in quote base units, including the virtual
/// offset so it is defined for an empty vault (1 token = 1 USDC at launch).
pub fn nav_per_token(nav: u128, supply: u64, token_decimals: u8, round: Round) -> Option<u64> {
    let unit = 10u128.checked_pow(token_decimals as u32)?;
    to_u64(mul_div(nav.checked_add(VIRTUAL_ASSETS)?, unit, (supply as u128).checked_add(VIRTUAL_SHARES)?, round)?)
}

/// USDC the vault borrows alongside a deposit of `usdc_in` so the mint keeps leverage unchanged
/// (debt/equity preserved). An empty vault starts at `target_bps`.
pub fn mint_borrow_amount(pos: &Position, price: Price, usdc_in: u64, target_bps: u64) -> Option<u64> {
    if pos.collateral == 0 && pos.debt == 0 {
        let extra = target_bps.checked_sub(BPS)?;
        return to_u64(mul_div(usdc_in as u128, extra as u128, BPS as u128, Round::Down)?);
    }
    let nav = pos.nav(price, Round::Up)?;
    to_u64(mul_div(usdc_in as u128, pos.debt as u128, nav, Round::Down)?)
}

/// NAV a mint actually added: oracle value of the collateral bought minus the debt taken on.
/// Valued down; `None` when not positive (the swap lost more than the deposit).
pub fn nav_added_down(price: Price, collateral_received: u64, debt_added: u64) -> Option<u128> {
    let v = price.value(collateral_received, Round::Down)?;
    let added = v.checked_sub(debt_added as u128)?;
    if added == 0 {
        None
    } else {
        Some(added)
    }
}

/// Tokens for `nav_added` when the vault's NAV before the mint was `nav_before` (valued up, so the
/// existing holders are never diluted) and `supply` tokens were outstanding. Rounded down.
pub fn tokens_for_nav_down(nav_added: u128, nav_before_up: u128, supply: u64) -> Option<u64> {
    shares_for_assets_down(nav_added, nav_before_up, supply as u128)
}

/// The redeemer's slice of the position for burning `tokens` of `supply`: collateral rounded down,
/// debt rounded up, so what stays behind is never worth less per token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RedeemShare {
    pub collateral_out: u64,
    pub debt_repaid: u64,
}

pub fn redeem_share(pos: &Position, tokens: u64, supply: u64) -> Option<RedeemShare> {
    if tokens == 0 || tokens > supply {
        return None;
    }
    Some(RedeemShare {
        collateral_out: pro_rata(pos.collateral, tokens, supply, Round::Down)?,
        debt_repaid: pro_rata(pos.debt, tokens, supply, Round::Up)?.min(pos.debt),
    })
}

/// Expected USDC out of a redemption at the oracle price after a swap costing `swap_cost_bps`
/// and a redeem fee of `fee_bps`, rounded down: a quote for `min_usdc_out`.
pub fn redeem_quote_down(price: Price, share: &RedeemShare, swap_cost_bps: u64, fee_bps: u64) -> Option<u64> {
    let gross = price.value(share.collateral_out, Round::Down)?;
    let after_swap = mul_div(gross, BPS.checked_sub(swap_cost_bps)? as u128, BPS as u128, Round::Down)?;
    let net = after_swap.checked_sub(share.debt_repaid as u128)?;
    let fee = mul_div(net, fee_bps as u128, BPS as u128, Round::Up)?;
    to_u64(net.checked_sub(fee)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WAD;

    /// $1 per collateral base unit keeps the seed's numbers readable: values are USDC base units.
    const ONE: Price = Price { wad: WAD };
    const USD: u64 = 1_000_000;

    #[test]
    fn seed_deposit_100_at_3x() {
        let empty = Position::default();
        let borrow = mint_borrow_amount(&empty, ONE, 100 * USD, 30_000).unwrap();
        assert_eq!(borrow, 200 * USD);
        let pos = Position { collateral: 300 * USD, debt: borrow };
        assert_eq!(pos.collateral_value(ONE, Round::Down), Some(300 * USD as u128));
        assert_eq!(pos.nav(ONE, Round::Down), Some(100 * USD as u128));
        assert_eq!(pos.leverage_bps(ONE, Round::Up), Some(30_000));
        let added = nav_added_down(ONE, 300 * USD, 200 * USD).unwrap();
        assert_eq!(tokens_for_nav_down(added, 0, 0), Some(100 * USD));
    }

    #[test]
    fn seed_up_20_percent() {
        let pos = Position { collateral: 300 * USD, debt: 200 * USD };
        let up = Price { wad: WAD * 12 / 10 };
        assert_eq!(pos.nav(up, Round::Down), Some(160 * USD as u128));
        assert_eq!(pos.leverage_bps(up, Round::Down), Some(22_500));
    }

    #[test]
    fn seed_down_20_percent() {
        let pos = Position { collateral: 300 * USD, debt: 200 * USD };
        let down = Price { wad: WAD * 8 / 10 };
        assert_eq!(pos.nav(down, Round::Down), Some(40 * USD as u128));
        assert_eq!(pos.leverage_bps(down, Round::Down), Some(60_000));
    }

    #[test]
    fn insolvent_vault_has_no_nav() {
        let pos = Position { collateral: 100, debt: 200 };
        assert_eq!(pos.nav(ONE, Round::Down), None);
        assert_eq!(pos.equity(ONE, Round::Down), Some(-100));
        assert_eq!(pos.leverage_bps(ONE, Round::Up), None);
    }

    #[test]
    fn mint_keeps_leverage() {
        let pos = Position { collateral: 480 * USD, debt: 320 * USD };
        let b = mint_borrow_amount(&pos, ONE, 50 * USD, 30_000).unwrap();
        assert_eq!(b, 100 * USD);
    }

    #[test]
    fn redeem_half() {
        let pos = Position { collateral: 301, debt: 201 };
        let s = redeem_share(&pos, 50_000, 100_000).unwrap();
        assert!(s.collateral_out <= 150);
        assert!(s.debt_repaid >= 100);
        assert_eq!(redeem_share(&pos, 0, 100), None);
        assert_eq!(redeem_share(&pos, 101, 100), None);
    }

    #[test]
    fn nav_per_token_starts_at_one_usdc() {
        assert_eq!(nav_per_token(0, 0, 6, Round::Down), Some(USD));
        assert_eq!(nav_per_token(160 * USD as u128, 100 * USD, 6, Round::Down), Some(1_599_994));
    }
}
