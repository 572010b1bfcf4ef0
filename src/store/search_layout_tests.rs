//! The search index across the step that lays the tasks' rows out newest first (reversed
//! rowids): a store built at schema v16 and migrated keeps every record findable, the index
//! whole, and the task filter's answers exactly as v16 gave them, ties included.

use std::collections::BTreeSet;
use std::path::Path;

use rusqlite::{params, Connection};

use crate::domain::search::SearchKind;

/// A schema version from before the step (schema 16, its tasks at rowid id + 2^40; a step
/// that lands between it and this one runs in the migration too).
const BEFORE: i32 = 16;

/// A deterministic sequence (a linear congruential generator) for the store's texts.
struct Seq(u64);

impl Seq {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
}

const WORDS: [&str; 14] = [
    "logo",
    "final",
    "Clínica",
    "café",
    "informe",
    "task",
    "campaña",
    "newsletter",
    "post",
    "Ñandú",
    "a",
    "b",
    "12",
    "3",
];

/// A store at schema v16 at `path`: clients, 2,600 tasks (words in common, numbers, ties of
/// equal rows), requests, quotes and flags that hold the same words, then edits, moves and
/// deletions made through v16's own triggers.
fn store_at_16(path: &Path) {
    let mut c = Connection::open(path).unwrap();
    c.execute_batch("PRAGMA journal_mode=WAL").unwrap();
    super::schema::migrate_until(&mut c, BEFORE).unwrap();
    let v: i32 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, BEFORE);
    let mut seq = Seq(7);
    c.execute_batch("BEGIN").unwrap();
    for (i, name) in [
        "Clínica Sol",
        "Tienda Norte",
        "Café Lumen",
        "Estudio Task",
        "Logo Works",
    ]
    .iter()
    .enumerate()
    {
        c.execute(
            "INSERT INTO clients(name, name_key, notes, tool, created_on)
             VALUES (?1, ?2, ?3, 'Trello', '2026-01-01')",
            params![name, name.to_lowercase(), format!("notes task {i}")],
        )
        .unwrap();
    }
    for i in 0..2_600 {
        let title = format!(
            "{} task {i} {}",
            WORDS[seq.next(WORDS.len())],
            WORDS[seq.next(WORDS.len())]
        );
        let spec: Vec<&str> = (0..seq.next(5)).map(|_| WORDS[seq.next(WORDS.len())]).collect();
        c.execute(
            "INSERT INTO tasks(client_id, title, spec, status, created_on) VALUES (?1, ?2, ?3, 'todo', '2026-01-05')",
            params![1 + seq.next(5) as i64, title, spec.join(" ")],
        )
        .unwrap();
        if i % 7 == 0 {
            c.execute(
                "INSERT INTO requests(task_id, kind, what, asked_on, expected_by)
                 VALUES (last_insert_rowid(), ?1, ?2, '2026-01-05', '2026-01-09')",
                params![
                    if i % 2 == 0 { "material" } else { "feedback" },
                    format!("task {i} {}", WORDS[seq.next(WORDS.len())])
                ],
            )
            .unwrap();
        }
    }
    for i in 0..40 {
        c.execute(
            "INSERT INTO quotes(client_id, sent_on, answer_by, description) VALUES (?1, '2026-01-05', '2026-01-20', ?2)",
            params![1 + i % 5, format!("quote task {i} logo")],
        )
        .unwrap();
    }
    for i in 0..60 {
        c.execute(
            "INSERT INTO flags(client_id, kind, at, note, source, created_at)
             VALUES (?1, 'other', '2026-11-01', ?2, 'manual', '2026-11-01 09:00:00')",
            params![1 + i % 5, format!("flag task {i} {}", WORDS[i as usize % WORDS.len()])],
        )
        .unwrap();
    }
    c.execute_batch(
        "UPDATE tasks SET title = 'updated task ' || id || ' logo' WHERE id % 17 = 0;
         UPDATE tasks SET client_id = 1 + client_id % 5 WHERE id % 19 = 0;
         UPDATE tasks SET spec = spec || ' informe' WHERE id % 23 = 0;
         DELETE FROM tasks WHERE id % 13 = 0;
         COMMIT;",
    )
    .unwrap();
}

/// Every record the index should hold, as (kind, id, title, body, client): from the tables.
fn records(c: &Connection) -> BTreeSet<(SearchKind, i64, String, String, i64)> {
    let mut out = BTreeSet::new();
    let mut read = |kind: SearchKind, sql: &str| {
        let mut q = c.prepare(sql).unwrap();
        let rows = q
            .query_map([], |r| Ok((kind, r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap();
        for row in rows {
            out.insert(row.unwrap());
        }
    };
    read(
        SearchKind::Client,
        "SELECT id, name, notes || ' ' || tool, id FROM clients",
    );
    read(SearchKind::Task, "SELECT id, title, spec, client_id FROM tasks");
    read(
        SearchKind::Material,
        "SELECT r.id, r.what, '', t.client_id FROM requests r JOIN tasks t ON t.id = r.task_id WHERE r.kind = 'material'",
    );
    read(
        SearchKind::Feedback,
        "SELECT r.id, r.what, '', t.client_id FROM requests r JOIN tasks t ON t.id = r.task_id WHERE r.kind = 'feedback'",
    );
    read(SearchKind::Quote, "SELECT id, description, '', client_id FROM quotes");
    read(SearchKind::Flag, "SELECT id, note, '', client_id FROM flags");
    out
}

/// What the index holds, as (kind, id, title, body, client), each rowid read with `kind_of`.
fn indexed(
    c: &Connection,
    kind_of: impl Fn(i64) -> Option<(SearchKind, i64)>,
) -> BTreeSet<(SearchKind, i64, String, String, i64)> {
    let mut q = c.prepare("SELECT rowid, title, body, client_id FROM search").unwrap();
    let rows = q
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap();
    let mut out = BTreeSet::new();
    for row in rows {
        let (rowid, title, body, client) = row.unwrap();
        let (kind, id) = kind_of(rowid).unwrap_or_else(|| panic!("rowid {rowid} is no record's"));
        assert!(out.insert((kind, id, title, body, client)), "{kind:?} {id} twice");
    }
    out
}

/// Schema v16's rowids: a task's id + 2^40, anything else's `id × 8 + code`.
fn kind_at_16(rowid: i64) -> Option<(SearchKind, i64)> {
    if rowid >= 1_099_511_627_776 {
        return Some((SearchKind::Task, rowid - 1_099_511_627_776));
    }
    SearchKind::ALL
        .iter()
        .copied()
        .find(|k| *k != SearchKind::Task && k.code() == rowid.rem_euclid(8))
        .map(|k| (k, rowid.div_euclid(8)))
}

fn integrity(c: &Connection) {
    c.execute("INSERT INTO search(search) VALUES ('integrity-check')", [])
        .unwrap();
}

/// What the filter of "All clients" answered at v16 on the store of [`store_at_16`] (the 40
/// best of the 400 newest matches), as the code before the step gave it: every id in order.
const FILTER_AT_16: &[(&str, &[i64])] = &[
    (
        "t",
        &[
            2241, 2260, 2332, 2347, 2381, 2481, 2493, 2514, 2519, 2407, 2229, 2313, 2317, 2331, 2349, 2362, 2371, 2383,
            2443, 2553, 2248, 2250, 2266, 2309, 2338, 2358, 2423, 2462, 2521, 2577, 2594, 2245, 2284, 2361, 2400, 2328,
            2369, 2506, 2196, 2216,
        ],
    ),
    (
        "ta",
        &[
            2241, 2260, 2332, 2347, 2381, 2481, 2493, 2514, 2519, 2407, 2229, 2313, 2317, 2331, 2349, 2362, 2371, 2383,
            2443, 2553, 2248, 2250, 2266, 2309, 2338, 2358, 2423, 2462, 2521, 2577, 2594, 2245, 2284, 2361, 2400, 2328,
            2369, 2506, 2196, 2216,
        ],
    ),
    (
        "tas",
        &[
            2241, 2260, 2332, 2347, 2381, 2481, 2493, 2514, 2519, 2407, 2229, 2313, 2317, 2331, 2349, 2362, 2371, 2383,
            2443, 2553, 2248, 2250, 2266, 2309, 2338, 2358, 2423, 2462, 2521, 2577, 2594, 2245, 2284, 2361, 2400, 2328,
            2369, 2506, 2196, 2216,
        ],
    ),
    (
        "task",
        &[
            2241, 2260, 2332, 2347, 2381, 2481, 2493, 2514, 2519, 2407, 2229, 2313, 2317, 2331, 2349, 2362, 2371, 2383,
            2443, 2553, 2248, 2250, 2266, 2309, 2338, 2358, 2423, 2462, 2521, 2577, 2594, 2245, 2284, 2361, 2400, 2328,
            2369, 2506, 2196, 2216,
        ],
    ),
    (
        "task 3",
        &[
            899, 927, 1085, 1933, 2514, 1198, 1264, 1889, 1922, 2062, 2100, 2163, 1181, 1668, 2025, 2031, 2524, 762,
            764, 804, 857, 875, 930, 947, 953, 978, 1006, 1018, 1046, 1065, 1087, 1159, 1180, 1195, 1223, 1250, 1253,
            1271, 1371, 1409,
        ],
    ),
    (
        "task 1",
        &[
            1745, 1801, 1815, 1824, 1827, 1829, 1845, 1858, 1866, 1926, 1995, 2000, 2347, 1903, 1930, 1844, 1760, 1730,
            1738, 1748, 1800, 1816, 1825, 1834, 1850, 1862, 1865, 1909, 1922, 1952, 1968, 1985, 2102, 1754, 1805, 1906,
            2436, 1744, 1861, 1882,
        ],
    ),
    (
        "task 10",
        &[
            1011, 108, 1022, 1023, 1098, 103, 1032, 1059, 1074, 101, 107, 110, 1003, 1005, 1006, 1008, 1009, 1016,
            1017, 1018, 1031, 1033, 1037, 1046, 1056, 1061, 1065, 1067, 1070, 1072, 1085, 1087, 1094, 1048, 1026, 1060,
            1062, 1080, 102, 1024,
        ],
    ),
    (
        "task 17",
        &[
            1730, 1712, 1744, 18, 171, 1726, 1736, 1741, 1745, 1747, 1753, 1759, 1769, 1772, 1784, 1787, 1789, 1746,
            17, 1706, 1721, 1724, 1725, 1737, 1738, 1748, 1752, 1757, 1761, 1764, 1783, 1785, 1798, 1800, 1711, 1719,
            1766, 1779, 1799, 170,
        ],
    ),
    (
        "task 24",
        &[
            2481, 2493, 2443, 2423, 2462, 242, 2401, 2409, 2417, 2426, 2437, 2463, 2464, 2465, 2475, 2477, 2478, 2487,
            2490, 2495, 2499, 2402, 2466, 2407, 2432, 2436, 2442, 2489, 241, 243, 244, 2408, 2414, 2419, 2420, 2421,
            2428, 2447, 2449, 2454,
        ],
    ),
    ("task 66", &[665, 662, 666, 667, 668, 664, 67, 661, 669, 670]),
    (
        "task 12",
        &[
            1249, 1215, 1225, 1247, 1262, 1291, 1296, 1395, 1692, 2347, 1212, 1282, 1293, 1516, 1695, 2102, 1237, 2436,
            1226, 1239, 1263, 1760, 2309, 2594, 1208, 1211, 1217, 1223, 1228, 1241, 1243, 1244, 1250, 1253, 1257, 1260,
            1271, 1280, 1292, 1321,
        ],
    ),
    (
        "logo",
        &[
            2308, 1589, 2467, 2231, 1386, 1683, 2252, 1148, 1156, 1159, 1164, 1225, 1241, 1280, 1292, 1321, 1343, 1360,
            1376, 1377, 1512, 1513, 1552, 1592, 1598, 1618, 1666, 1669, 1670, 1759, 1789, 1808, 1819, 1858, 1871, 1921,
            1927, 1938, 2027, 2042,
        ],
    ),
    (
        "logo f",
        &[
            99, 144, 744, 1592, 1927, 2164, 2170, 2334, 445, 417, 514, 863, 1402, 1472, 1706, 707, 1242, 2099, 2342,
            2558, 1680, 1727, 2024, 1192, 2511, 673, 1380, 678, 1366, 1463, 1991, 2325, 837, 961, 1562, 2004, 2137,
            315, 747, 263,
        ],
    ),
    (
        "logo final",
        &[
            99, 144, 744, 1592, 1927, 2164, 2170, 2334, 445, 417, 514, 863, 1402, 1472, 1706, 707, 1242, 2099, 2342,
            2558, 1680, 1727, 2024, 1192, 2511, 673, 1380, 678, 1366, 1463, 1991, 2325, 837, 961, 1562, 2004, 2137,
            315, 747, 263,
        ],
    ),
    (
        "final logo",
        &[
            99, 144, 744, 1592, 1927, 2164, 2170, 2334, 445, 417, 514, 863, 1402, 1472, 1706, 707, 1242, 2099, 2342,
            2558, 1680, 1727, 2024, 1192, 2511, 673, 1380, 678, 1366, 1463, 1991, 2325, 837, 961, 1562, 2004, 2137,
            315, 747, 263,
        ],
    ),
    (
        "clinica",
        &[
            1121, 1138, 1044, 1546, 1678, 1841, 2272, 889, 1920, 1166, 1947, 2222, 2225, 2576, 1160, 2365, 875, 886,
            994, 1018, 1022, 1046, 1114, 1115, 1128, 1148, 1153, 1164, 1208, 1244, 1250, 1301, 1322, 1323, 1369, 1376,
            1490, 1524, 1538, 1647,
        ],
    ),
    (
        "CAFÉ",
        &[
            1540, 1231, 2206, 739, 1007, 2291, 2455, 980, 2021, 1337, 1556, 1730, 2036, 699, 760, 865, 893, 939, 976,
            1065, 1067, 1094, 1153, 1187, 1217, 1325, 1328, 1375, 1410, 1460, 1468, 1486, 1503, 1512, 1575, 1576, 1604,
            1608, 1619, 1627,
        ],
    ),
    (
        "ñandu",
        &[
            1009, 1133, 1942, 2128, 1416, 1884, 2538, 914, 939, 976, 1031, 1106, 1177, 1187, 1217, 1247, 1316, 1329,
            1371, 1497, 1545, 1575, 1591, 1619, 1627, 1640, 1648, 1745, 1753, 1812, 1827, 1919, 1934, 2044, 2051, 2098,
            2173, 2220, 2409, 2475,
        ],
    ),
    (
        "task logo",
        &[
            1225, 2308, 1589, 1865, 1909, 2141, 1182, 1657, 1861, 2130, 2423, 2467, 1148, 1156, 1159, 1164, 1241, 1280,
            1292, 1321, 1343, 1360, 1376, 1377, 1512, 1513, 1552, 1592, 1598, 1618, 1666, 1669, 1670, 1759, 1789, 1808,
            1819, 1858, 1871, 1921,
        ],
    ),
    (
        "a",
        &[
            2579, 1272, 1809, 1535, 1595, 1221, 2497, 1406, 2050, 781, 786, 796, 797, 847, 857, 860, 886, 893, 928,
            930, 958, 973, 1008, 1107, 1271, 1478, 1501, 1590, 1631, 1643, 1669, 1674, 1686, 1689, 1741, 1747, 1759,
            1843, 1913, 1923,
        ],
    ),
    (
        "b task",
        &[
            716, 1866, 2332, 995, 1032, 1229, 1593, 1667, 1981, 1985, 2046, 2331, 1414, 2284, 720, 854, 911, 1650,
            2358, 792, 796, 914, 947, 958, 978, 1005, 1006, 1061, 1114, 1325, 1400, 1438, 1471, 1545, 1572, 1631, 1640,
            1686, 1687, 1814,
        ],
    ),
    (
        "12",
        &[
            1215, 1247, 1249, 1262, 1291, 1237, 1226, 1263, 1760, 1256, 1299, 1284, 1298, 2460, 1208, 1211, 1217, 1223,
            1225, 1228, 1241, 1243, 1244, 1250, 1253, 1257, 1260, 1271, 1280, 1292, 1296, 1321, 1369, 1395, 1435, 1451,
            1490, 1497, 1519, 1538,
        ],
    ),
    (
        "3",
        &[
            927, 1085, 1933, 1264, 1889, 2163, 2031, 2524, 768, 1051, 1097, 1198, 1783, 762, 764, 804, 857, 875, 899,
            930, 947, 953, 978, 1006, 1018, 1046, 1065, 1087, 1159, 1180, 1195, 1223, 1250, 1253, 1271, 1371, 1409,
            1503, 1571, 1618,
        ],
    ),
    (
        "updated",
        &[
            34, 51, 714, 833, 867, 935, 1003, 1037, 1156, 1241, 1292, 1343, 1360, 1377, 1513, 1598, 1666, 1819, 1921,
            1938, 2057, 2074, 2125, 2193, 2244, 2278, 2465, 2499, 2567, 17, 85, 102, 289, 340, 357, 408, 425, 459, 476,
            544,
        ],
    ),
    (
        "updated task 2",
        &[
            2057, 2074, 2125, 2193, 2244, 2278, 2465, 2499, 2567, 2397, 289, 2006, 2091, 2159, 2176, 2295, 2414, 2482,
            2023, 238, 255, 2312, 2329, 2363, 2380, 2448, 2533, 2550, 2108, 2227, 2261, 204, 2142, 2516, 272, 2040,
            2346, 2584,
        ],
    ),
    (
        "informe",
        &[
            2274, 2228, 1379, 2406, 2273, 1464, 1804, 2116, 2139, 2501, 1195, 1208, 1243, 1257, 1260, 1301, 1322, 1345,
            1375, 1409, 1434, 1519, 1550, 1561, 1580, 1590, 1604, 1647, 1652, 1674, 1682, 1689, 1801, 1843, 1913, 1934,
            2016, 2049, 2056, 2069,
        ],
    ),
    (
        "informe task 2",
        &[
            2260, 2274, 2313, 2383, 261, 265, 288, 2016, 2049, 2056, 2069, 2097, 2138, 2157, 2169, 2173, 2243, 2367,
            2374, 2401, 2540, 2555, 2560, 2572, 2129, 2116, 2139, 2501, 2228, 2248, 2338, 2150, 2254, 241, 269, 2003,
            2034, 2204, 2221, 2255,
        ],
    ),
    (
        "camp",
        &[
            1553, 1594, 1621, 1073, 1699, 2370, 997, 1533, 957, 1315, 921, 926, 928, 953, 972, 1008, 1017, 1061, 1115,
            1211, 1228, 1243, 1260, 1262, 1280, 1305, 1424, 1431, 1434, 1451, 1468, 1511, 1550, 1572, 1635, 1726, 1736,
            1787, 1845, 1847,
        ],
    ),
    ("flag", &[]),
    ("quote", &[]),
    ("zzz", &[]),
    ("task zzz", &[]),
    ("-*:", &[]),
];

/// The same at the desk's own sizes (the 200 best of the 2,000 newest): how many, and a
/// hash of the ids in order ([`hash`]).
const DESK_FILTER_AT_16: &[(&str, usize, u64)] = &[
    ("t", 200, 0x7e0081be99be77e8),
    ("ta", 200, 0x7e0081be99be77e8),
    ("tas", 200, 0x7e0081be99be77e8),
    ("task", 200, 0x7e0081be99be77e8),
    ("task 3", 200, 0xee285f1b03e51008),
    ("task 1", 200, 0xe4e05f441b6789e2),
    ("task 10", 102, 0x2d47aaeb51999bc0),
    ("task 17", 106, 0xbf7f29daeaf01849),
    ("task 24", 102, 0x1ddec93a461da474),
    ("task 66", 10, 0x2fe13d703bab605c),
    ("task 12", 200, 0xb904d013c62f8699),
    ("logo", 200, 0x444f0357f02e6dd9),
    ("logo f", 164, 0x4e76b063fa473cb0),
    ("logo final", 164, 0x4e76b063fa473cb0),
    ("final logo", 164, 0x4e76b063fa473cb0),
    ("clinica", 200, 0x684e2f53ee37c660),
    ("CAFÉ", 200, 0x919db5c9348c5be5),
    ("ñandu", 200, 0xa8d7d73724db7330),
    ("task logo", 200, 0x9a61d9597a97189c),
    ("a", 200, 0x5730f9294980cdb4),
    ("b task", 200, 0x5ba6f632b9d95607),
    ("12", 200, 0x402185a96bbb1f5d),
    ("3", 200, 0x4f74962661f767fd),
    ("updated", 141, 0xdb7c48f1d5e7e82f),
    ("updated task 2", 38, 0xde371b996d906270),
    ("informe", 200, 0x1f76140bd453ca4f),
    ("informe task 2", 189, 0xf3a05407b7f8ee9f),
    ("camp", 200, 0x167dfb7536c38c1c),
    ("flag", 0, 0xcbf29ce484222325),
    ("quote", 0, 0xcbf29ce484222325),
    ("zzz", 0, 0xcbf29ce484222325),
    ("task zzz", 0, 0xcbf29ce484222325),
    ("-*:", 0, 0xcbf29ce484222325),
];

/// FNV-1a over the ids in order.
fn hash(ids: &[i64]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for id in ids {
        for b in id.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[test]
fn the_task_filter_answers_as_at_v16_ties_included() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    store_at_16(&path);
    let store = crate::Store::open(&path).unwrap();
    for (typed, want) in FILTER_AT_16 {
        let got = store.task_matches(typed, 40, 400).unwrap();
        assert_eq!(&got, want, "{typed:?}");
    }
    for (typed, n, h) in DESK_FILTER_AT_16 {
        let got = store.task_matches(typed, 200, 2_000).unwrap();
        assert_eq!((got.len(), hash(&got)), (*n, *h), "{typed:?}");
    }
}

/// Everything the global search's rank finds for `typed` (its order: FTS5's own `ORDER BY
/// rank`), as (kind, id, rank), each rowid read with `kind_of`.
fn ranked(
    c: &Connection,
    typed: &str,
    kind_of: impl Fn(i64) -> Option<(SearchKind, i64)>,
) -> Vec<(SearchKind, i64, f64)> {
    let q = crate::domain::search::match_query(typed).unwrap();
    let mut stmt = c
        .prepare("SELECT rowid, rank FROM search WHERE search MATCH ?1 ORDER BY rank")
        .unwrap();
    let rows = stmt
        .query_map([q], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)?)))
        .unwrap();
    rows.map(|r| {
        let (rowid, rank) = r.unwrap();
        let (kind, id) = kind_of(rowid).unwrap();
        (kind, id, rank)
    })
    .collect()
}

/// A record's rowid at v16 (the order FTS5 gives equal ranks in).
fn rowid_at_16(kind: SearchKind, id: i64) -> i64 {
    match kind {
        SearchKind::Task => 1_099_511_627_776 + id,
        k => id * 8 + k.code(),
    }
}

const SEARCHED: [&str; 9] = [
    "task",
    "logo",
    "clinica",
    "flag task",
    "quote",
    "12",
    "café",
    "notes",
    "updated",
];

#[test]
fn a_v16_store_migrates_to_a_whole_index_that_finds_every_record_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    store_at_16(&path);
    let (held, searched) = {
        let c = Connection::open(&path).unwrap();
        let held = indexed(&c, kind_at_16);
        assert_eq!(held, records(&c), "v16's index holds every record");
        let searched: Vec<_> = SEARCHED.iter().map(|t| ranked(&c, t, kind_at_16)).collect();
        (held, searched)
    };
    let store = crate::Store::open(&path).unwrap();
    let c = &store.conn;
    let v: i32 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, super::schema::LATEST_VERSION);
    integrity(c);
    // Every task, client, request, quote and flag, with the same texts and client.
    assert_eq!(indexed(c, SearchKind::from_rowid), held);
    // Each task's row at its new place, no task row left at the old one.
    let old: i64 = c
        .query_row(
            "SELECT count(*) FROM search WHERE rowid >= 1099511627776 AND rowid < 1099511627776 + 1073741824",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(old, 0);
    // The global search finds the same records with the same ranks, in the same order but
    // for equal ranks: FTS5 gives those in rowid order, so equal tasks now come newest first
    // (and still after the other kinds). Put back in v16's rowid order, each run of equal
    // ranks is v16's.
    for (typed, before) in SEARCHED.iter().zip(&searched) {
        let now = ranked(c, typed, SearchKind::from_rowid);
        assert!(before.len() > 1, "{typed:?}");
        let rank = |v: &[(SearchKind, i64, f64)]| v.iter().map(|h| h.2.to_bits()).collect::<Vec<_>>();
        assert_eq!(rank(&now), rank(before), "{typed:?}");
        let mut put_back = now.clone();
        put_back.sort_by(|a, b| {
            a.2.total_cmp(&b.2)
                .then(rowid_at_16(a.0, a.1).cmp(&rowid_at_16(b.0, b.1)))
        });
        assert_eq!(&put_back, before, "{typed:?}");
        // The store's page is that order.
        let page: Vec<_> = store
            .search(typed, now.len(), 0)
            .unwrap()
            .iter()
            .map(|h| (h.kind, h.id))
            .collect();
        assert_eq!(page, now.iter().map(|h| (h.0, h.1)).collect::<Vec<_>>(), "{typed:?}");
    }
    // And the triggers keep it whole: new, edited, moved and deleted tasks.
    c.execute_batch(
        "INSERT INTO tasks(client_id, title, spec, created_on) VALUES (2, 'brand new task logo', 'spec', '2026-02-01');
         UPDATE tasks SET title = 'renamed task ' || id WHERE id % 29 = 0;
         UPDATE tasks SET client_id = 1 + client_id % 5 WHERE id % 31 = 0;
         DELETE FROM tasks WHERE id % 37 = 0;
         UPDATE requests SET what = what || ' again' WHERE id % 3 = 0;",
    )
    .unwrap();
    integrity(c);
    assert_eq!(indexed(c, SearchKind::from_rowid), records(c));
    let newest: i64 = c.query_row("SELECT max(id) FROM tasks", [], |r| r.get(0)).unwrap();
    assert_eq!(store.task_matches("brand new", 10, 100).unwrap(), vec![newest]);
}
