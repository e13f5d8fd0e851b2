//! The global allocator of the binary and the benchmarks: mimalloc, asked the way it is fastest.
//!
//! The `mimalloc` crate's `MiMalloc` passes every request to `mi_malloc_aligned`, even a
//! string's (alignment 1). mimalloc 3 then takes its plain path only for blocks whose size is
//! a power of two: anything over 1 KB of another size (a mention list, a normal form's offset
//! map) goes the generic aligned way, over-allocated by the alignment. Every mimalloc block is
//! aligned to 16 bytes once it is 16 bytes or more (its size classes are multiples of 16 from
//! there, and a page's first block is 16-aligned; smaller ones to 8), which is what C's
//! `malloc` promises too. So a request aligned to at most 16 and to no more than its size
//! goes to `mi_malloc`, as Rust's own `System` allocator does with `malloc`; only the rare
//! over-aligned one keeps `mi_malloc_aligned`. 1 % fewer instructions for tag + resolve.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// What every block mimalloc hands out is aligned to (`MI_MAX_ALIGN_SIZE`), given a request
/// of at least that size.
const PLAIN_ALIGN: usize = 16;

/// mimalloc, with plain calls for plainly aligned requests (see the module notes).
pub struct Allocator;

/// True when `mi_malloc(size)` is sure to be aligned to `align`.
#[inline]
fn plain(align: usize, size: usize) -> bool {
    align <= PLAIN_ALIGN && align <= size
}

// SAFETY: every pointer comes from mimalloc and goes back to it; a block is aligned as its
// layout asks, by `plain` above or by the aligned calls.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if plain(layout.align(), layout.size()) {
            mi::mi_malloc(layout.size()).cast()
        } else {
            mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if plain(layout.align(), layout.size()) {
            mi::mi_zalloc(layout.size()).cast()
        } else {
            mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi::mi_free(ptr.cast::<c_void>());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // The new size decides: a block shrunk under the alignment may not keep it.
        if plain(layout.align(), new_size) {
            mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
        } else {
            mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
        }
    }
}

/// From now on, memory this process touches for the first time comes in 4 KB pages, not as
/// transparent huge pages: for `map` and `view`, which touch hundreds of MB.
///
/// mimalloc asks Linux for huge pages (`MADV_HUGEPAGE`), so each first touch of a 2 MB
/// stretch makes the kernel zero 2 MB. On a virtual machine that zeroing now and then slows
/// to a crawl: 3 of 10 `map` runs of an 8 MB corpus took 1.1–1.9 s instead of 0.5 s, with
/// 54 % of the time in the kernel's `clear_page_erms`. In small pages every run took
/// 0.53–0.75 s, and peak memory fell by about 25 MB. Short commands keep huge pages: the
/// gazetteer loads with 1,500 page faults instead of 8,600, 30 ms instead of 47 (see
/// docs/performance.md). Linux only; elsewhere nothing changes.
pub fn small_pages_from_now() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments and touches no memory of ours. A
    // kernel without it (before 3.15) refuses, and pages stay as they were: nothing to report.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kernel is told: this process now says "THP disabled" when asked.
    #[cfg(target_os = "linux")]
    #[test]
    fn small_pages_are_asked_for() {
        small_pages_from_now();
        // SAFETY: as in `small_pages_from_now`.
        let disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(disabled, 1);
    }

    /// Every size up to 4 KB and a few large ones, with every alignment up to 64: the block is
    /// aligned as asked, writable, and survives growing and shrinking with its contents.
    #[test]
    fn blocks_are_aligned_as_asked() {
        let a = Allocator;
        let sizes = (1..=4096).chain([8191, 65_537, 1 << 20, (1 << 22) + 24]);
        for size in sizes {
            for align in [1, 2, 4, 8, 16, 32, 64] {
                let layout = Layout::from_size_align(size, align).unwrap();
                unsafe {
                    let p = a.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size} align {align}");
                    p.write_bytes(0xA5, size);
                    let grown = a.realloc(p, layout, size * 3 + 5);
                    assert_eq!(
                        grown as usize % align,
                        0,
                        "grown: size {size} align {align}"
                    );
                    assert!((0..size).all(|i| *grown.add(i) == 0xA5));
                    let grown_layout = Layout::from_size_align(size * 3 + 5, align).unwrap();
                    let shrunk = a.realloc(grown, grown_layout, size.div_ceil(2));
                    assert_eq!(
                        shrunk as usize % align,
                        0,
                        "shrunk: size {size} align {align}"
                    );
                    assert!((0..size.div_ceil(2)).all(|i| *shrunk.add(i) == 0xA5));
                    let shrunk_layout = Layout::from_size_align(size.div_ceil(2), align).unwrap();
                    a.dealloc(shrunk, shrunk_layout);
                    let z = a.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0, "zeroed: size {size} align {align}");
                    assert!((0..size).all(|i| *z.add(i) == 0));
                    a.dealloc(z, layout);
                }
            }
        }
    }
}
