//! Event emission that also works when the programs run natively in `solana-program-test`.

use anchor_lang::Event;

/// Emit an Anchor event. On SBF this is exactly `emit!` (`sol_log_data`, shown by explorers and
/// parsed by clients as `Program data: <base64>`). Natively anchor-lang turns `sol_log_data` into
/// a no-op, so the same bytes are written through the runtime's log stub as
/// `Program log: Program data: <base64>`; the client's event parser accepts both forms.
pub fn emit<E: Event>(event: E) {
    #[cfg(target_os = "solana")]
    anchor_lang::solana_program::log::sol_log_data(&[&event.data()]);
    #[cfg(not(target_os = "solana"))]
    {
        use base64::Engine as _;
        solana_sysvar::program_stubs::sol_log(&format!("Program data: {}", base64::engine::general_purpose::STANDARD.encode(event.data())));
    }
}

/// Make an instruction's Anchor return value visible when the program runs natively.
///
/// On SBF Anchor already calls `sol_set_return_data` with the serialized value, so this is a no-op.
/// Natively Anchor's call does nothing; this writes the same bytes through the runtime's stub so
/// simulations and tests read the value.
pub fn native_return_data<T: anchor_lang::AnchorSerialize>(value: &T) {
    #[cfg(not(target_os = "solana"))]
    {
        let mut data = Vec::new();
        if value.serialize(&mut data).is_ok() {
            solana_sysvar::program_stubs::sol_set_return_data(&data);
        }
    }
    #[cfg(target_os = "solana")]
    let _ = value;
}
