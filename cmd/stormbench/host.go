package main

import "github.com/stormbench/stormbench/experiment"

// hostFacts are the machine facts a results folder records.
type hostFacts = experiment.HostFacts

func readHostFacts() hostFacts { return experiment.ReadHostFacts() }

// shardFile is the raw, mergeable result every run leaves in its folder.
const shardFile = experiment.ShardFile
