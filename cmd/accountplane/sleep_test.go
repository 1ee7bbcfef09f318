package main

import "time"

func sleep() { time.Sleep(50 * time.Millisecond) }
