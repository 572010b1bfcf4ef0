//! A TaskChampion server in a folder (`[sync] local_dir`), for a folder both machines see
//! (a USB stick, a network share, a synced folder). Nothing in it is a live database: each
//! version is one immutable file, published atomically and only if its parent has no child
//! yet, so two machines writing at once still form one chain. Every file is sealed with
//! ChaCha20-Poly1305 under a key derived from `encryption_secret` (PBKDF2-HMAC-SHA256), so the
//! folder holds nothing readable; a wrong secret is refused before anything is read or written.

use std::cell::RefCell;
use std::fs;
use std::io;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use async_trait::async_trait;
use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use taskchampion::server::{
    AddVersionResult, GetVersionResult, HistorySegment, Server, Snapshot, SnapshotUrgency, VersionId, NIL_VERSION_ID,
};
use taskchampion::{Error, Uuid};

type R<T> = std::result::Result<T, Error>;

/// PBKDF2 rounds (the OWASP figure for HMAC-SHA256; TaskChampion's own server uses the same).
const ROUNDS: u32 = 600_000;
const MAGIC: &[u8; 4] = b"VDS1";
const KEY_FILE: &str = "vadesk-sync.key";
const KEY_CHECK: &[u8] = b"vadesk sync key check";
const SALT_LEN: usize = 16;

/// Raised when the secret does not open the folder's files.
pub const WRONG_SECRET: &str = "wrong encryption secret";

/// Why the folder failed, kept for the user's message (the engine's errors carry English text).
#[derive(Debug)]
pub enum Failure {
    /// The folder cannot be made, read or written.
    Folder(io::Error),
    /// A file of the folder is cut short or not one vadesk wrote (its name).
    Damaged(String),
}

/// Where a folder server notes why it failed; the sync reads it after an error.
pub type Noted = Rc<RefCell<Option<Failure>>>;

pub struct FolderServer {
    dir: PathBuf,
    key: LessSafeKey,
    rng: SystemRandom,
    noted: Noted,
}

/// Notes a folder's failure and returns the engine's error for it.
fn note(noted: &Noted, f: Failure) -> Error {
    let text = match &f {
        Failure::Folder(e) => e.to_string(),
        Failure::Damaged(name) => format!("damaged file {name}"),
    };
    noted.replace(Some(f));
    Error::Server(text)
}

/// The folder is there, or made when `starting` (never with missing folders above it).
pub(crate) fn ready(dir: &Path, starting: bool, noted: &Noted) -> R<()> {
    let io_err = |e: io::Error| note(noted, Failure::Folder(e));
    if dir.exists() && !dir.is_dir() {
        return Err(io_err(io::Error::from(io::ErrorKind::NotADirectory)));
    }
    if !dir.exists() {
        if !starting {
            return Err(io_err(io::Error::from(io::ErrorKind::NotFound)));
        }
        fs::create_dir(dir).map_err(io_err)?;
    }
    Ok(())
}

impl FolderServer {
    /// Opens the folder, or starts it when `starting` (made inside a folder that exists,
    /// never with missing folders above it); the secret must open its key file. Why it fails,
    /// when it is the folder's fault, is noted in `noted` (here and in every later call).
    pub fn open(dir: &Path, secret: &[u8], starting: bool, noted: Noted) -> R<Self> {
        let io_err = |e: io::Error| note(&noted, Failure::Folder(e));
        ready(dir, starting, &noted)?;
        let rng = SystemRandom::new();
        let key_path = dir.join(KEY_FILE);
        let existing = match fs::read(&key_path) {
            Ok(b) => Some(b),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err(e)),
        };
        let bytes = match existing {
            Some(b) => b,
            None => {
                let mut salt = [0u8; SALT_LEN];
                rng.fill(&mut salt)
                    .map_err(|_| Error::Server("no random numbers".into()))?;
                let key = derive(secret, &salt)?;
                let mut b = salt.to_vec();
                b.extend(seal(&key, &rng, KEY_CHECK, b"key")?);
                // First one wins: a machine that loses the race reads the winner's file.
                if publish(dir, &key_path, &b).map_err(io_err)? {
                    b
                } else {
                    fs::read(&key_path).map_err(io_err)?
                }
            }
        };
        let damaged = || note(&noted, Failure::Damaged(KEY_FILE.into()));
        if bytes.len() < SALT_LEN + MAGIC.len() + NONCE_LEN || &bytes[SALT_LEN..SALT_LEN + MAGIC.len()] != MAGIC {
            return Err(damaged());
        }
        let key = derive(secret, &bytes[..SALT_LEN])?;
        match open(&key, &bytes[SALT_LEN..], b"key") {
            Ok(p) if p == KEY_CHECK => {}
            _ => return Err(Error::Usage(WRONG_SECRET.into())),
        }
        Ok(FolderServer {
            dir: dir.to_path_buf(),
            key,
            rng,
            noted,
        })
    }

    fn io_err(&self, e: io::Error) -> Error {
        note(&self.noted, Failure::Folder(e))
    }

    fn damaged(&self, parent: VersionId) -> Error {
        note(&self.noted, Failure::Damaged(format!("{}.version", parent.simple())))
    }

    fn child_path(&self, parent: VersionId) -> PathBuf {
        self.dir.join(format!("{}.version", parent.simple()))
    }

    fn read_child(&self, parent: VersionId) -> R<Option<(VersionId, Vec<u8>)>> {
        let bytes = match fs::read(self.child_path(parent)) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io_err(e)),
        };
        let sealed = bytes.get(16..).unwrap_or_default();
        if sealed.len() < MAGIC.len() + NONCE_LEN || &sealed[..MAGIC.len()] != MAGIC {
            return Err(self.damaged(parent));
        }
        let child = Uuid::from_slice(&bytes[..16]).map_err(|_| self.damaged(parent))?;
        // The secret was proven right by the key file when the folder was opened: a version
        // that does not open with it was changed after it was written.
        let segment = open(&self.key, sealed, &aad(parent, child)).map_err(|_| self.damaged(parent))?;
        Ok(Some((child, segment)))
    }

    fn child_id(&self, parent: VersionId) -> R<Option<VersionId>> {
        let mut head = [0u8; 16];
        match fs::File::open(self.child_path(parent)) {
            Ok(mut f) => {
                use std::io::Read;
                f.read_exact(&mut head).map_err(|e| match e.kind() {
                    io::ErrorKind::UnexpectedEof => self.damaged(parent),
                    _ => self.io_err(e),
                })?;
                Ok(Some(Uuid::from_bytes(head)))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.io_err(e)),
        }
    }

    fn latest(&self) -> R<VersionId> {
        let mut v = NIL_VERSION_ID;
        while let Some(child) = self.child_id(v)? {
            v = child;
        }
        Ok(v)
    }
}

fn aad(parent: VersionId, child: VersionId) -> Vec<u8> {
    let mut a = parent.as_bytes().to_vec();
    a.extend_from_slice(child.as_bytes());
    a
}

fn derive(secret: &[u8], salt: &[u8]) -> R<LessSafeKey> {
    let mut key = [0u8; 32];
    let rounds = NonZeroU32::new(ROUNDS).ok_or_else(|| Error::Server("rounds".into()))?;
    ring::pbkdf2::derive(ring::pbkdf2::PBKDF2_HMAC_SHA256, rounds, salt, secret, &mut key);
    let unbound = UnboundKey::new(&aead::CHACHA20_POLY1305, &key).map_err(|_| Error::Server("key".into()))?;
    Ok(LessSafeKey::new(unbound))
}

/// `MAGIC` + nonce + ciphertext and tag.
fn seal(key: &LessSafeKey, rng: &SystemRandom, plain: &[u8], aad: &[u8]) -> R<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill(&mut nonce)
        .map_err(|_| Error::Server("no random numbers".into()))?;
    let mut buf = plain.to_vec();
    key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut buf)
        .map_err(|_| Error::Server("encryption failed".into()))?;
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&nonce);
    out.extend(buf);
    Ok(out)
}

fn open(key: &LessSafeKey, sealed: &[u8], aad: &[u8]) -> R<Vec<u8>> {
    if sealed.len() < MAGIC.len() + NONCE_LEN || &sealed[..MAGIC.len()] != MAGIC {
        return Err(Error::Server("damaged file".into()));
    }
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&sealed[MAGIC.len()..MAGIC.len() + NONCE_LEN]);
    let mut buf = sealed[MAGIC.len() + NONCE_LEN..].to_vec();
    let plain = key
        .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut buf)
        .map_err(|_| Error::Usage(WRONG_SECRET.into()))?;
    Ok(plain.to_vec())
}

/// Writes `bytes` to `path` only if nothing is there: a private temp file, flushed, then
/// hard-linked (which fails when the name exists). True when this call published it.
fn publish(dir: &Path, path: &Path, bytes: &[u8]) -> io::Result<bool> {
    use std::io::Write;
    let tmp = dir.join(format!(".tmp-{}", Uuid::new_v4().simple()));
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let result = (|| {
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        match fs::hard_link(&tmp, path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        }
    })();
    let _ = fs::remove_file(&tmp);
    result
}

#[async_trait(?Send)]
impl Server for FolderServer {
    async fn add_version(
        &mut self,
        parent: VersionId,
        segment: HistorySegment,
    ) -> R<(AddVersionResult, SnapshotUrgency)> {
        let latest = self.latest()?;
        if parent != latest {
            return Ok((AddVersionResult::ExpectedParentVersion(latest), SnapshotUrgency::None));
        }
        let child = Uuid::new_v4();
        let mut bytes = child.as_bytes().to_vec();
        bytes.extend(seal(&self.key, &self.rng, &segment, &aad(parent, child))?);
        if publish(&self.dir, &self.child_path(parent), &bytes).map_err(|e| self.io_err(e))? {
            Ok((AddVersionResult::Ok(child), SnapshotUrgency::None))
        } else {
            Ok((
                AddVersionResult::ExpectedParentVersion(self.latest()?),
                SnapshotUrgency::None,
            ))
        }
    }

    async fn get_child_version(&mut self, parent: VersionId) -> R<GetVersionResult> {
        Ok(match self.read_child(parent)? {
            Some((version_id, history_segment)) => GetVersionResult::Version {
                version_id,
                parent_version_id: parent,
                history_segment,
            },
            None => GetVersionResult::NoSuchVersion,
        })
    }

    async fn add_snapshot(&mut self, _version: VersionId, _snapshot: Snapshot) -> R<()> {
        // Never asked for: the urgency is always None, and a new machine replays the chain.
        Ok(())
    }

    async fn get_snapshot(&mut self) -> R<Option<(VersionId, Snapshot)>> {
        Ok(None)
    }
}
