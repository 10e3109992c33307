"""Evaluation of gongkai: question sets, runner, metrics, baselines and reports."""
