pub struct Index;
