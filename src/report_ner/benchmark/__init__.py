"""Benchmark of report-ner against a jieba.posseg peer: speed, memory, scaling, accuracy."""
