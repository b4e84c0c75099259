fn main() {
    println!("icvsec: under construction");
}
