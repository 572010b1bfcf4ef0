//! Record identity: every record carries a uuid besides its local id. Records derived from
//! others (an automatic flag, a recurring instance, an imported card) get a UUIDv5 of what
//! they derive from, so two processes or two machines that derive the same record agree.

use uuid::Uuid;

/// The namespace of every vadesk-derived uuid (itself a UUIDv5 of the project's name).
const NAMESPACE: Uuid = Uuid::from_bytes([
    0x5b, 0x0e, 0x3f, 0x1a, 0x64, 0x2d, 0x5c, 0x8e, 0x9a, 0x51, 0x0d, 0x7c, 0x33, 0xa4, 0x21, 0x9f,
]);

/// A fresh random uuid, in the store's text form.
pub fn new_uuid() -> String {
    Uuid::new_v4().to_string()
}

/// The uuid every machine derives from `key` (for example `flag:material:<request uuid>`).
pub fn derived(key: &str) -> String {
    Uuid::new_v5(&NAMESPACE, key.as_bytes()).to_string()
}

/// Whether `s` is a uuid in the canonical hyphenated form.
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36 && Uuid::parse_str(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_uuids_are_stable_and_distinct() {
        assert_eq!(derived("flag:quote:x"), derived("flag:quote:x"));
        assert_ne!(derived("flag:quote:x"), derived("flag:quote:y"));
        assert!(is_uuid(&derived("a")));
        assert!(is_uuid(&new_uuid()));
        assert_ne!(new_uuid(), new_uuid());
        assert!(!is_uuid("not-a-uuid"));
    }
}
