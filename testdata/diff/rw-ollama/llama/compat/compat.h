// compat
