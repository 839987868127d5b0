module nsboxbench/blast

go 1.26.0
