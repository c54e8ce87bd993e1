"""Certificates: the settings of `[certificates]` and the layout of the full design.

Owns `settings` (edition.toml → CertificateOptions) and `layout` (seal spaces, border, punctuation).
May import pipeline.registry, pipeline.rules, pipeline.render and pipeline.core; never pipeline.stages
(the stage, pipeline.stages.certificates, imports these).
"""
