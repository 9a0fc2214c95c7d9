//! The cluster URL and the signer as the `solana` CLI finds them: `--url/-u` (a URL or a moniker:
//! `l`/`localhost`, `d`/`devnet`, `t`/`testnet`, `m`/`mainnet-beta`), else the Solana CLI config
//! (`~/.config/solana/cli/config.yml`, or `--config`), read with the `solana-cli-config` crate;
//! `--keypair`, else the config's `keypair_path`, else `~/.config/solana/id.json`. One difference:
//! with neither a flag nor a config file the URL is the local node (`http://127.0.0.1:8899`), not
//! mainnet-beta.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use solana_cli_config::{Config, ConfigInput};

/// The URL when neither a flag nor a config file gives one: `levtoken localnet`.
pub const LOCAL_URL: &str = "http://127.0.0.1:8899";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    pub url: String,
    pub keypair: PathBuf,
    /// The config file read, if any.
    pub config_file: Option<PathBuf>,
}

/// Resolve the URL and keypair from the flags and the Solana CLI config. An explicit `--config`
/// that cannot be read is an error; the default config file is optional.
pub fn resolve(url: Option<&str>, keypair: Option<&Path>, config: Option<&Path>) -> Result<Connection> {
    resolve_with(url, keypair, config, solana_cli_config::CONFIG_FILE.as_ref().map(PathBuf::from))
}

/// [`resolve`] with `default_file` in place of `~/.config/solana/cli/config.yml`.
pub fn resolve_with(url: Option<&str>, keypair: Option<&Path>, config: Option<&Path>, default_file: Option<PathBuf>) -> Result<Connection> {
    let (file, cfg) = match config {
        Some(path) => {
            (Some(path.to_path_buf()), Some(Config::load(&path.to_string_lossy()).with_context(|| format!("read the Solana CLI config {}", path.display()))?))
        }
        None => match default_file.filter(|p| p.is_file()) {
            Some(path) => {
                let cfg = Config::load(&path.to_string_lossy()).with_context(|| format!("read the Solana CLI config {}", path.display()))?;
                (Some(path), Some(cfg))
            }
            None => (None, None),
        },
    };
    let cfg_url = cfg.as_ref().map(|c| c.json_rpc_url.as_str()).unwrap_or("");
    let url = match (url.unwrap_or(""), cfg_url) {
        ("", "") => LOCAL_URL.to_string(),
        (cmd, cfg) => ConfigInput::compute_json_rpc_url_setting(cmd, cfg).1,
    };
    let cmd_keypair = keypair.map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
    let cfg_keypair = cfg.as_ref().map(|c| c.keypair_path.as_str()).unwrap_or("");
    let keypair = PathBuf::from(ConfigInput::compute_keypair_path_setting(&cmd_keypair, cfg_keypair).1);
    Ok(Connection { url, keypair, config_file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_config_monikers_and_the_solana_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.yml");
        let cfg = Config { json_rpc_url: "https://api.devnet.solana.com".into(), keypair_path: "/keys/me.json".into(), ..Config::default() };
        cfg.save(&file.to_string_lossy()).unwrap();

        // The config file's URL and keypair when no flag is given.
        let c = resolve(None, None, Some(&file)).unwrap();
        assert_eq!(
            (c.url.as_str(), c.keypair.as_path(), c.config_file.as_deref()),
            ("https://api.devnet.solana.com", Path::new("/keys/me.json"), Some(file.as_path()))
        );
        // Flags win; monikers become the clusters' URLs as with `solana -u`.
        for (moniker, url) in [
            ("l", "http://localhost:8899"),
            ("localhost", "http://localhost:8899"),
            ("d", "https://api.devnet.solana.com"),
            ("t", "https://api.testnet.solana.com"),
            ("m", "https://api.mainnet-beta.solana.com"),
            ("mainnet-beta", "https://api.mainnet-beta.solana.com"),
            ("http://10.0.0.1:8899", "http://10.0.0.1:8899"),
        ] {
            assert_eq!(resolve(Some(moniker), None, Some(&file)).unwrap().url, url, "{moniker}");
        }
        let c = resolve(Some("l"), Some(Path::new("/other.json")), Some(&file)).unwrap();
        assert_eq!(c.keypair, PathBuf::from("/other.json"));
        // A config whose URL is a moniker is normalised too.
        let cfg = Config { json_rpc_url: "t".into(), ..Config::default() };
        cfg.save(&file.to_string_lossy()).unwrap();
        assert_eq!(resolve(None, None, Some(&file)).unwrap().url, "https://api.testnet.solana.com");
        // Without a flag or a config file: the local node, and the Solana CLI's default keypair.
        let c = resolve_with(None, None, None, Some(dir.path().join("none.yml"))).unwrap();
        assert_eq!((c.url.as_str(), c.config_file), (LOCAL_URL, None));
        assert!(c.keypair.ends_with(".config/solana/id.json"), "{}", c.keypair.display());
        assert_eq!(resolve_with(Some("d"), None, None, None).unwrap().url, "https://api.devnet.solana.com");
        // The default config file is read when present.
        assert_eq!(resolve_with(None, None, None, Some(file.clone())).unwrap().url, "https://api.testnet.solana.com");
        // An explicit config file that does not exist is an error.
        assert!(resolve(None, None, Some(&dir.path().join("missing.yml"))).is_err());
    }
}
