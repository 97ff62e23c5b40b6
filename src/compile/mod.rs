//! protox -> [`crate::image::Image`].
