"""Workflows: each public function is one action, validates, changes state and commits once."""
