//! Which files, in which module, under which import roots.
