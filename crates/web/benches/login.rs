//! Cost of a login: one argon2id verification with the chosen parameters (19 MiB, 2 passes,
//! 1 lane), and one hash (account creation, password change).

use criterion::{Criterion, criterion_group, criterion_main};

fn password_hashing(c: &mut Criterion) {
    let hash = web::secrets::hash_password("correct horse battery");
    let mut group = c.benchmark_group("argon2id");
    group.sample_size(20);
    group.bench_function("verify_password", |b| {
        b.iter(|| {
            assert!(web::secrets::verify_password(
                "correct horse battery",
                &hash
            ))
        })
    });
    group.bench_function("hash_password", |b| {
        b.iter(|| web::secrets::hash_password("correct horse battery"))
    });
    group.finish();
}

criterion_group!(benches, password_hashing);
criterion_main!(benches);
