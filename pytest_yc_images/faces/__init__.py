"""Thin faces over the one request path (:mod:`pytest_yc_images._rpc`)."""
