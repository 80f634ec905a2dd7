enum FarmServerPlaceholder {}
